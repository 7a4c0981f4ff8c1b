#!/usr/bin/env python3
"""Bench: `lanyard credential-process` against the peers, whole process, in one run.

Builds a temporary home with a config of 200 profiles and two profiles under test:

  vault-prof   keys moved into the keychain with `lanyard vault import`
  static-prof  keys in the credentials file
  role-prof    a role assumed from vault-prof's keys (STS is a moto server on loopback); the
               first call assumes it, the timed calls are served from the keychain cache

and times, interleaved so that all see the same machine:

  lanyard credential-process vault-prof      (keychain read over D-Bus)
  lanyard credential-process static-prof     (files only)
  lanyard credential-process role-prof       (cached role credentials, from the keychain)
  aws configure export-credentials --profile static-prof    (Debian's AWS CLI v2)
  aws configure get aws_secret_access_key --profile static-prof   (AWS CLI v1, pip)
  aws-sso-util credential-process --profile static-prof

aws-sso-util serves IAM Identity Center profiles only: on this static profile it loads
botocore, looks at the profile and exits with an error, with no network. Its time here is
the floor of what it costs, so the ratio against it understates Lanyard's lead.

Needs a Secret Service: the script re-runs itself under scripts/with-keyring.sh when
LANYARD_TEST_KEYRING is not set. Prints p50/p90/min per command and the ratios, last a line
    credential-process: lanyard vault p50 X ms, aws-sso-util p50 Y ms, ratio Zx
"""

import argparse
import os
import socket
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(ROOT, ".tools", "venv", "bin")


def timed(cmd, env, expect_ok=True):
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - start) * 1000
    if expect_ok and done.returncode != 0:
        sys.exit("%s failed: %s" % (" ".join(cmd[:3]), done.stderr.decode(errors="replace")[:300]))
    return elapsed, done


def summary(times):
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return statistics.median(ordered), p90, ordered[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanyard", default=os.path.join(ROOT, "target", "cli", "lanyard"))
    parser.add_argument("--runs", type=int, default=50, help="runs of each lanyard command")
    parser.add_argument("--peer-runs", type=int, default=5, help="runs of each peer command")
    args = parser.parse_args()

    if os.environ.get("LANYARD_TEST_KEYRING") != "1":
        script = os.path.join(ROOT, "scripts", "with-keyring.sh")
        os.execv(script, [script, sys.executable] + sys.argv)

    lanyard = os.path.abspath(args.lanyard)
    if not os.path.exists(lanyard):
        sys.exit("no %s: build it with `cargo build --profile cli` (see bench/README.md)" % lanyard)
    aws_v2 = "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else None
    aws_v1 = os.path.join(VENV_BIN, "aws")
    sso_util = os.path.join(VENV_BIN, "aws-sso-util")

    work = tempfile.mkdtemp(prefix="lanyard-bench-cp-")
    try:
        home = os.path.join(work, "home")
        os.makedirs(os.path.join(home, ".aws"))
        config = ["# bench config"]
        for i in range(200):
            config += ["", "[profile p%03d]" % i, "region = eu-west-1", "output = json"]
        config += ["", "[profile vault-prof]", "region = us-east-1", "", "[profile static-prof]", "region = us-east-1", ""]
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write("\n".join(config))
        with open(os.path.join(home, ".aws", "credentials"), "w") as f:
            f.write("[vault-prof]\naws_access_key_id = AKIABENCHVAULT000001\naws_secret_access_key = bench/vault/secret\n\n"
                    "[static-prof]\naws_access_key_id = AKIABENCHSTATIC00001\naws_secret_access_key = bench/static/secret\n")
        env = dict(os.environ)
        for key in list(env):
            if key.startswith("AWS_"):
                del env[key]
        env.update(HOME=home, LANYARD_DATA_DIR=os.path.join(work, "data"), AWS_CONFIG_FILE=os.path.join(home, ".aws", "config"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, ".aws", "credentials"))
        subprocess.run([lanyard, "vault", "import", "vault-prof"], env=env, check=True, stderr=subprocess.DEVNULL)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        moto = subprocess.Popen([os.path.join(VENV_BIN, "python"), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(os.path.join(home, ".aws", "config"), "a") as f:
            f.write("\n[profile role-prof]\nrole_arn = arn:aws:iam::123456789012:role/Bench\nsource_profile = vault-prof\n"
                    "region = us-east-1\nendpoint_url = http://127.0.0.1:%d\n" % port)
        for _ in range(100):
            if subprocess.run([lanyard, "credential-process", "role-prof"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(0.1)
        else:
            sys.exit("could not assume role-prof through moto")
        moto.terminate()

        commands = {
            "lanyard vault": ([lanyard, "credential-process", "vault-prof"], args.runs, True),
            "lanyard static": ([lanyard, "credential-process", "static-prof"], args.runs, True),
            "lanyard cached role": ([lanyard, "credential-process", "role-prof"], args.runs, True),
            "aws-sso-util": ([sso_util, "credential-process", "--profile", "static-prof"], args.peer_runs, False),
            "aws v1 configure get": ([aws_v1, "configure", "get", "aws_secret_access_key", "--profile", "static-prof"], args.peer_runs, True),
        }
        if aws_v2:
            commands["aws v2 export-credentials"] = ([aws_v2, "configure", "export-credentials", "--profile", "static-prof"], args.peer_runs, True)
        times = {name: [] for name in commands}
        rounds = max(n for _, n, _ in commands.values())
        for round_index in range(rounds):
            for name, (cmd, runs, expect_ok) in commands.items():
                if round_index < runs and os.path.exists(cmd[0]):
                    elapsed, _ = timed(cmd, env, expect_ok)
                    times[name].append(elapsed)

        print("%-28s %8s %8s %8s %5s" % ("command", "p50 ms", "p90 ms", "min ms", "runs"))
        p50 = {}
        for name, values in times.items():
            if not values:
                print("%-28s not installed" % name)
                continue
            p50[name], p90, low = summary(values)
            print("%-28s %8.1f %8.1f %8.1f %5d" % (name, p50[name], p90, low, len(values)))
        for peer in ("aws-sso-util", "aws v2 export-credentials", "aws v1 configure get"):
            if peer in p50:
                print("ratio %-24s vault %.0fx, cached role %.0fx, static %.0fx" % (
                    peer, p50[peer] / p50["lanyard vault"], p50[peer] / p50["lanyard cached role"], p50[peer] / p50["lanyard static"]))
        if "aws-sso-util" in p50:
            print("credential-process: lanyard vault p50 %.1f ms, cached role p50 %.1f ms, aws-sso-util p50 %.0f ms, ratio %.0fx / %.0fx"
                  % (p50["lanyard vault"], p50["lanyard cached role"], p50["aws-sso-util"],
                     p50["aws-sso-util"] / p50["lanyard vault"], p50["aws-sso-util"] / p50["lanyard cached role"]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
