#!/usr/bin/env python3
"""Self-test of tests/peers/botocore_view.py (plain Python, no pytest).

Run with the venv's interpreter (scripts/test.sh does):
    .tools/venv/bin/python tests/peers/test_botocore_view.py

Each case writes files in a fresh temporary directory, runs botocore_view.py as
a separate process (as the Rust harness does) and checks what it prints. One
case asks the AWS CLI v1 itself, so the view cannot drift from what `aws` reads.
Ends with a line "peers: N passed, N failed"; exit status 1 if any case failed.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VIEW = os.path.join(HERE, "botocore_view.py")
PY = sys.executable

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


class Tmp:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="lanyard-peer-")

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
        return path

    def env(self, **extra):
        # Never let a peer look at the real ~/.aws.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["HOME"] = self.dir
        env.update(extra)
        return env

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def run_view(tmp, *args, env=None):
    p = subprocess.run(
        [PY, VIEW, *args],
        capture_output=True,
        env=env if env is not None else tmp.env(),
        timeout=120,
    )
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def view(tmp, config_text, credentials_text=None):
    cfg = tmp.write("config", config_text)
    cred = tmp.write("credentials", credentials_text) if credentials_text is not None else os.path.join(tmp.dir, "none")
    rc, out, err = run_view(tmp, cfg, cred)
    assert rc == 0, "rc=%d stderr=%s" % (rc, err)
    return json.loads(out)


def eq(got, want):
    assert got == want, "\n got: %s\nwant: %s" % (json.dumps(got, sort_keys=True), json.dumps(want, sort_keys=True))


@case
def nested_s3_block_and_lowercased_keys(tmp):
    v = view(tmp, "[profile dev]\nRegion = us-west-2\ns3 =\n    Max_Concurrent_Requests = 20\n    addressing_style = path\n")
    eq(v["profiles"], {"dev": {"region": "us-west-2", "s3": {"max_concurrent_requests": "20", "addressing_style": "path"}}})


@case
def section_names_keep_their_case(tmp):
    v = view(
        tmp,
        "[profile Prod-Admin]\nRegion = a\n[sso-session Corp]\nSSO_Region = b\n[services Local]\nS3 =\n  Endpoint_URL = c\n",
        "[Prod-Admin]\nAWS_Access_Key_ID = AKIA\n[prod-admin]\nregion = lower\n",
    )
    eq(v["profiles"], {"Prod-Admin": {"region": "a", "aws_access_key_id": "AKIA"}, "prod-admin": {"region": "lower"}})
    eq(v["sso-sessions"], {"Corp": {"sso_region": "b"}})
    eq(v["services"], {"Local": {"s3": {"endpoint_url": "c"}}})


@case
def shape_is_always_complete(tmp):
    v = view(tmp, "")
    eq(v, {"profiles": {}, "sso-sessions": {}, "services": {}})


@case
def missing_files_are_empty(tmp):
    rc, out, err = run_view(tmp, os.path.join(tmp.dir, "nope"), os.path.join(tmp.dir, "nope2"))
    assert rc == 0, err
    eq(json.loads(out), {"profiles": {}, "sso-sessions": {}, "services": {}})


@case
def profile_prefix_stripped_quotes_removed_other_sections_dropped(tmp):
    v = view(
        tmp,
        '[default]\nregion = a\n[profile x]\nregion = b\n[profile "with space"]\nregion = c\n'
        "[plugins]\nfoo = bar\n[preview]\ncloudfront = true\n[profile a b c]\nregion = d\n",
    )
    eq(v["profiles"], {"default": {"region": "a"}, "x": {"region": "b"}, "with space": {"region": "c"}})


@case
def profile_default_after_default_wins(tmp):
    v = view(tmp, "[default]\nregion = plain\noutput = json\n[profile default]\nregion = prefixed\n")
    eq(v["profiles"], {"default": {"region": "prefixed"}})


@case
def default_after_profile_default_wins_in_botocore(tmp):
    # botocore lets the later section win; the spec says [profile default] wins.
    v = view(tmp, "[profile default]\nregion = prefixed\n[default]\nregion = plain\n")
    eq(v["profiles"], {"default": {"region": "plain"}})


@case
def sso_sessions_and_services(tmp):
    v = view(
        tmp,
        "[profile p]\nsso_session = corp\nservices = local\n"
        "[sso-session corp]\nsso_start_url = https://x.example/start\nsso_region = us-east-1\n"
        "[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:4566\nsts =\n  Endpoint_URL = http://127.0.0.1:5000\n",
    )
    eq(v["sso-sessions"], {"corp": {"sso_start_url": "https://x.example/start", "sso_region": "us-east-1"}})
    eq(v["services"], {"local": {"s3": {"endpoint_url": "http://127.0.0.1:4566"}, "sts": {"endpoint_url": "http://127.0.0.1:5000"}}})
    eq(v["profiles"], {"p": {"sso_session": "corp", "services": "local"}})


@case
def credentials_win_per_key_and_names_are_verbatim(tmp):
    v = view(
        tmp,
        "[profile dev]\nregion = cfg\noutput = json\ns3 =\n  a = 1\n  b = 2\n",
        "[dev]\nregion = creds\naws_access_key_id = AKIA1\ns3 =\n  c = 3\n[profile odd]\naws_access_key_id = AKIA2\n",
    )
    eq(
        v["profiles"],
        {
            "dev": {"region": "creds", "output": "json", "aws_access_key_id": "AKIA1", "s3": {"c": "3"}},
            "profile odd": {"aws_access_key_id": "AKIA2"},
        },
    )


@case
def continuation_lines_and_comments(tmp):
    v = view(tmp, "# c\n; c\n[profile x]\n# inside\nregion = us-east-1 # not a comment\nlong = one\n  two\n")
    eq(v["profiles"], {"x": {"region": "us-east-1 # not a comment", "long": "one\ntwo"}})


@case
def crlf_and_no_final_newline(tmp):
    v = view(tmp, "[profile x]\r\nregion = us-east-1\r\ns3 =\r\n  a = 1")
    eq(v["profiles"], {"x": {"region": "us-east-1", "s3": {"a": "1"}}})


@case
def paths_from_environment(tmp):
    cfg = tmp.write("c", "[profile e]\nregion = env\n")
    cred = tmp.write("k", "[e]\naws_access_key_id = AKIAE\n")
    rc, out, err = run_view(tmp, env=tmp.env(AWS_CONFIG_FILE=cfg, AWS_SHARED_CREDENTIALS_FILE=cred))
    assert rc == 0, err
    eq(json.loads(out)["profiles"], {"e": {"region": "env", "aws_access_key_id": "AKIAE"}})
    rc, out, err = run_view(tmp, "-", cred, env=tmp.env(AWS_CONFIG_FILE=cfg))
    assert rc == 0, err
    eq(json.loads(out)["profiles"], {"e": {"region": "env", "aws_access_key_id": "AKIAE"}})


@case
def default_paths_under_home(tmp):
    os.makedirs(os.path.join(tmp.dir, ".aws"))
    tmp.write(".aws/config", "[profile h]\nregion = home\n")
    rc, out, err = run_view(tmp)
    assert rc == 0, err
    eq(json.loads(out)["profiles"], {"h": {"region": "home"}})


def expect_failure(tmp, text, needle, which="config"):
    path = tmp.write(which, text)
    other = os.path.join(tmp.dir, "none")
    args = (path, other) if which == "config" else (other, path)
    rc, out, err = run_view(tmp, *args)
    assert rc == 1, "rc=%d out=%s" % (rc, out)
    assert out == "", out
    assert "Unable to parse config file" in err and needle in err, err


@case
def duplicate_section_fails(tmp):
    expect_failure(tmp, "[profile x]\na = 1\n[profile x]\nb = 2\n", "DuplicateSectionError")


@case
def duplicate_key_fails(tmp):
    expect_failure(tmp, "[x]\na = 1\nA = 2\n", "DuplicateOptionError", which="credentials")


@case
def bad_nesting_fails(tmp):
    expect_failure(tmp, "[profile x]\ns3 =\n  no_equals_sign\n", "ValueError")


@case
def key_before_any_section_fails(tmp):
    expect_failure(tmp, "region = us-east-1\n[profile x]\n", "MissingSectionHeaderError")


@case
def usage_error_exits_2(tmp):
    rc, _, err = run_view(tmp, "--bogus")
    assert rc == 2 and "usage" in err, (rc, err)


@case
def aws_cli_v1_reads_the_same(tmp):
    aws = shutil.which("aws", path=os.path.dirname(PY)) or shutil.which("aws")
    assert aws, "aws (awscli v1) not found next to %s nor on PATH" % PY
    cfg = tmp.write("config", "[default]\nregion = d\n[profile dev]\nregion = cfg\ns3 =\n  addressing_style = path\n")
    cred = tmp.write("credentials", "[dev]\nregion = creds\naws_access_key_id = AKIADEV\n")
    v = view(tmp, open(cfg).read(), open(cred).read())
    env = tmp.env(AWS_CONFIG_FILE=cfg, AWS_SHARED_CREDENTIALS_FILE=cred)
    for profile, key in [("dev", "region"), ("dev", "aws_access_key_id"), ("default", "region"), ("dev", "s3.addressing_style")]:
        p = subprocess.run([aws, "configure", "get", key, "--profile", profile], capture_output=True, env=env, timeout=120)
        got = p.stdout.decode().strip()
        want = v["profiles"][profile]
        for part in key.split("."):
            want = want[part]
        assert p.returncode == 0 and got == want, (profile, key, got, want, p.stderr.decode())


def main():
    passed = failed = 0
    for fn in CASES:
        tmp = Tmp()
        try:
            fn(tmp)
        except Exception:
            failed += 1
            print("FAIL %s" % fn.__name__)
            traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print("ok   %s" % fn.__name__)
        finally:
            tmp.close()
    print("peers: %d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
