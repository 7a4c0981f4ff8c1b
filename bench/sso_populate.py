#!/usr/bin/env python3
"""Bench: `lanyard sso populate` against `aws-sso-util configure populate`, in one run.

Starts one `lanyard-fake-sso` (the testkit's fake IAM Identity Center) with 2,000 accounts of
2 roles each, signs in once per home with `lanyard login` (the token cache is the AWS CLI's,
which aws-sso-util reads too), then times, on the same server:

  lanyard sso populate corp                                  (4,000 profiles, one write)
  aws-sso-util configure populate -u URL --sso-region R -r R --existing-config-action discard

each into an empty config of its own home (only the sign-in's section in it), and last a
second `lanyard sso populate` on the populated file (nothing to change). aws-sso-util took
938 s here with its default `--existing-config-action`; `discard` is its fastest, so that is
what is timed (`--peer-default` times the default too). Prints each time and the ratio, last
a line
    sso populate: lanyard X s, aws-sso-util Y s, ratio Zx
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(ROOT, ".tools", "venv", "bin")
START_URL = "https://corp.awsapps.com/start"
REGION = "eu-west-1"


def timed(cmd, env):
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit("%s failed: %s" % (" ".join(cmd[:3]), done.stderr.decode(errors="replace")[-500:]))
    return elapsed, done


def home(base, name, endpoint):
    path = os.path.join(base, name)
    os.makedirs(os.path.join(path, ".aws"))
    with open(os.path.join(path, ".aws", "config"), "w") as f:
        # An sso-session for Lanyard; a legacy profile of the same start URL, whose token
        # cache (sha1 of the start URL) is the one aws-sso-util reads.
        f.write("[sso-session corp]\nsso_start_url = %s\nsso_region = %s\n\n"
                "[profile signin]\nsso_start_url = %s\nsso_region = %s\n" % (START_URL, REGION, START_URL, REGION))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=path, AWS_ENDPOINT_URL_SSO=endpoint, AWS_ENDPOINT_URL_SSO_OIDC=endpoint,
               LANYARD_SSO_POLL_MS="50", LANYARD_HTTP_TIMEOUT="60",
               AWS_CONFIG_FILE=os.path.join(path, ".aws", "config"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(path, ".aws", "credentials"),
               LANYARD_DATA_DIR=os.path.join(path, "lanyard"))
    return path, env


def profiles(path):
    with open(os.path.join(path, ".aws", "config")) as f:
        return sum(1 for line in f if line.startswith("[profile ") and line.strip() != "[profile signin]")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanyard", default=os.path.join(ROOT, "target", "cli", "lanyard"))
    parser.add_argument("--fake", default=os.path.join(ROOT, "target", "debug", "lanyard-fake-sso"))
    parser.add_argument("--sso-util", default=None, help="aws-sso-util (default: .tools/venv, then /work/main/.tools/venv)")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--roles", type=int, default=2)
    parser.add_argument("--peer-default", action="store_true",
                        help="also time aws-sso-util with its default --existing-config-action (slow)")
    args = parser.parse_args()

    lanyard = os.path.abspath(args.lanyard)
    for binary, how in [(lanyard, "cargo build --profile cli"),
                        (args.fake, "cargo build -p lanyard-testkit --bin lanyard-fake-sso")]:
        if not os.path.exists(binary):
            sys.exit("no %s: build it with `%s` (see bench/README.md)" % (binary, how))
    sso_util = args.sso_util or next(
        (p for p in [os.path.join(VENV_BIN, "aws-sso-util"), "/work/main/.tools/venv/bin/aws-sso-util",
                     shutil.which("aws-sso-util")] if p and os.path.exists(p)), None)
    if not sso_util:
        sys.exit("no aws-sso-util: `make test` installs it into .tools/venv")

    fake = subprocess.Popen([args.fake, "--accounts", str(args.accounts), "--roles", str(args.roles),
                             "--page-size", "100", "--auto-approve"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = tempfile.mkdtemp(prefix="lanyard-bench-populate-")
    try:
        endpoint = fake.stdout.readline().split()[0]
        want = args.accounts * args.roles
        print("fake IAM Identity Center at %s: %d accounts x %d roles = %d profiles"
              % (endpoint, args.accounts, args.roles, want))

        ours, ours_env = home(base, "lanyard", endpoint)
        timed([lanyard, "login", "corp"], ours_env)
        first, done = timed([lanyard, "sso", "populate", "corp"], ours_env)
        if profiles(ours) != want:
            sys.exit("lanyard wrote %d profiles, not %d: %s" % (profiles(ours), want, done.stderr.decode()))
        again, _ = timed([lanyard, "sso", "populate", "corp"], ours_env)
        listing, _ = timed([lanyard, "sso", "accounts", "corp", "--json"], ours_env)
        print("lanyard sso populate:           %8.2f s  (%d profiles, one write)" % (first, want))
        print("lanyard sso populate, again:    %8.2f s  (nothing to change)" % again)
        print("lanyard sso accounts --json:    %8.2f s  (the listing alone)" % listing)

        runs = [("discard", ["--existing-config-action", "discard"])]
        if args.peer_default:
            runs.append(("default", []))
        peer = {}
        for label, extra in runs:
            theirs, theirs_env = home(base, "sso-util-" + label, endpoint)
            timed([lanyard, "login", "signin"], theirs_env)
            elapsed, done = timed([sso_util, "configure", "populate", "-u", START_URL, "--sso-region", REGION,
                                   "-r", REGION] + extra, theirs_env)
            if profiles(theirs) < want:
                sys.exit("aws-sso-util wrote %d profiles, not %d: %s"
                         % (profiles(theirs), want, done.stderr.decode(errors="replace")[-500:]))
            peer[label] = elapsed
            print("aws-sso-util populate (%s):%s%8.2f s" % (label, " " * (9 - len(label)), elapsed))
        print("sso populate: lanyard %.2f s, aws-sso-util %.2f s, ratio %.1fx"
              % (first, peer["discard"], peer["discard"] / first))
    finally:
        fake.kill()
        fake.wait()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
