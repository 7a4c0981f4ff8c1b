#!/usr/bin/env python3
"""Bench: `credential-process` of an IAM Identity Center profile, Lanyard and aws-sso-util side
by side in one run, against the fake IAM Identity Center (`lanyard-fake-sso`) on loopback.

Builds a temporary home with an `[sso-session corp]` and a profile `dev` that uses it, signs
in with `lanyard login corp` (the fake approves at once), and times, interleaved:

  lanyard credential-process legacy                    (cached role credentials: kernel keyring)
  aws-sso-util credential-process --profile legacy     (the same token cache, botocore)

(`legacy` names its start URL itself: aws-sso-util does not read `[sso-session]` sections.)

then starts 20 and 200 cold callers of `lanyard credential-process dev` at once (a fresh
role cache each time) and counts, on the fake, the sign-ins and GetRoleCredentials calls
they caused. Prints p50/p90/min, the ratio, the counts, last a line
    sso credential-process: lanyard p50 X ms, aws-sso-util p50 Y ms, ratio Zx
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(ROOT, ".tools", "venv", "bin")


def timed(cmd, env):
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        sys.exit("%s failed: %s" % (" ".join(cmd[:3]), done.stderr.decode(errors="replace")[:300]))
    return elapsed


def summary(times):
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return statistics.median(ordered), p90, ordered[0]


def counts(endpoint):
    with urllib.request.urlopen(endpoint + "/_fake/counts") as reply:
        return json.load(reply)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanyard", default=os.path.join(ROOT, "target", "cli", "lanyard"))
    parser.add_argument("--fake", default=os.path.join(ROOT, "target", "debug", "lanyard-fake-sso"),
                        help="the fake server (cargo build -p lanyard-testkit --bin lanyard-fake-sso)")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--peer-runs", type=int, default=5)
    args = parser.parse_args()
    for binary in (args.lanyard, args.fake):
        if not os.path.exists(binary):
            sys.exit("no %s: see bench/README.md for how to build it" % binary)
    sso_util = os.path.join(VENV_BIN, "aws-sso-util")

    fake = subprocess.Popen([args.fake, "--auto-approve", "--accounts", "2", "--roles", "2"],
                            stdout=subprocess.PIPE, text=True)
    try:
        endpoint = fake.stdout.readline().strip().split()[-1]
        home = tempfile.mkdtemp(prefix="lanyard-bench-sso-")
        os.makedirs(os.path.join(home, ".aws"))
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write("[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
                    "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n"
                    "[profile dev]\nsso_session = corp\nsso_account_id = 100000000001\n"
                    "sso_role_name = AdministratorAccess\nregion = eu-west-1\n\n"
                    # aws-sso-util reads the legacy form (start URL and region in the profile).
                    "[profile legacy]\nsso_start_url = https://corp.awsapps.com/start\n"
                    "sso_region = eu-west-1\nsso_account_id = 100000000001\n"
                    "sso_role_name = AdministratorAccess\nregion = eu-west-1\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LANYARD_"))}
        env.update(HOME=home, LANYARD_DATA_DIR=os.path.join(home, "data"), BROWSER="",
                   AWS_ENDPOINT_URL_SSO=endpoint, AWS_ENDPOINT_URL_SSO_OIDC=endpoint,
                   LANYARD_SSO_POLL_MS="50", LANYARD_KEYCHAIN_SERVICE="bench-" + uuid.uuid4().hex[:8])
        timed([args.lanyard, "login", "corp"], env)
        timed([args.lanyard, "login", "legacy"], env)
        timed([args.lanyard, "credential-process", "legacy"], env)  # warm the role cache
        ours, peer = [], []
        for i in range(args.runs):
            ours.append(timed([args.lanyard, "credential-process", "legacy"], env))
            if i < args.peer_runs and os.path.exists(sso_util):
                peer.append(timed([sso_util, "credential-process", "--profile", "legacy"], env))
        print("%-34s %8s %8s %8s %5s" % ("command", "p50 ms", "p90 ms", "min ms", "runs"))
        for label, times in (("lanyard credential-process", ours), ("aws-sso-util credential-process", peer)):
            if times:
                p50, p90, low = summary(times)
                print("%-34s %8.1f %8.1f %8.1f %5d" % (label, p50, p90, low, len(times)))
        for callers in (20, 200):
            env["LANYARD_KEYCHAIN_SERVICE"] = "bench-" + uuid.uuid4().hex[:8]  # a cold role cache
            before = counts(endpoint)
            procs = [subprocess.Popen([args.lanyard, "credential-process", "dev"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                     for _ in range(callers)]
            failed = sum(1 for p in procs if p.wait() != 0)
            after = counts(endpoint)
            delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
            print("%d cold callers: %d failed; GetRoleCredentials %d, StartDeviceAuthorization %d, CreateToken %d"
                  % (callers, failed, delta.get("GetRoleCredentials", 0),
                     delta.get("StartDeviceAuthorization", 0), delta.get("CreateToken", 0)))
        if peer:
            print("sso credential-process: lanyard p50 %.1f ms, aws-sso-util p50 %.0f ms, ratio %.0fx"
                  % (summary(ours)[0], summary(peer)[0], summary(peer)[0] / summary(ours)[0]))
        else:
            print("sso credential-process: lanyard p50 %.1f ms (aws-sso-util not installed)" % summary(ours)[0])
    finally:
        fake.terminate()
        fake.wait()


if __name__ == "__main__":
    main()
