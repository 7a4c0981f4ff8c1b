#!/usr/bin/env python3
"""Print what botocore (and so the AWS CLI v1 and boto3) sees in a pair of AWS files.

Usage:
    botocore_view.py [--pretty] [CONFIG [CREDENTIALS]]

CONFIG and CREDENTIALS default to $AWS_CONFIG_FILE and $AWS_SHARED_CREDENTIALS_FILE,
and then to botocore's own defaults (~/.aws/config, ~/.aws/credentials). A file
that does not exist counts as empty, exactly as in botocore. Pass "-" for CONFIG
to take it from the environment while still giving CREDENTIALS.

Output, on stdout, one JSON object in the shape of `lanyard dump --json`:

    {"profiles":     {NAME: {KEY: VALUE | {SUBKEY: VALUE}}},
     "sso-sessions": {NAME: {KEY: VALUE | {SUBKEY: VALUE}}},
     "services":     {NAME: {SERVICE: {KEY: VALUE}}}}

How it is built (botocore.session.Session.full_config, reused as is):
  * the config file goes through botocore.configloader.load_config:
    configparser.RawConfigParser, then build_profile_map, so `[profile NAME]`
    becomes profile NAME, `[default]` is profile "default", `[sso-session NAME]`
    and `[services NAME]` go to their own maps, and any other section is dropped;
  * the credentials file goes through raw_config_parse: section names are taken
    verbatim (no "profile " stripping) and merged into the profiles with
    dict.update, so the credentials file wins per key (a nested value from the
    credentials file replaces the config file's nested value whole);
  * a value whose first line is empty and whose next lines are indented
    `k = v` is a nested object (botocore's _parse_nested).

What this script adds on top of botocore:
  * keys are lower-cased, nested keys too (configparser already lower-cases the
    top-level ones; botocore keeps nested keys as written); section names keep
    their case;
  * output keys are sorted, so two runs over the same files print the same bytes.

Known ways botocore differs from the cross-SDK spec (this script shows botocore's
view, the comparison harness must allow for them): when a config file has both
`[default]` and `[profile default]`, the section later in the file wins; a
`[DEFAULT]` section's keys appear in every section (configparser defaults);
section names with more than two shlex words, or that do not shlex-split, are
dropped.

Exit status: 0 on success; 1 if botocore refuses a file (duplicate section or
key, a line it cannot parse, bad nesting, undecodable bytes), with botocore's own
message on stderr; 2 on bad usage.
"""

import json
import os
import sys


def _lower_keys(value):
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    return value


def _sections(sections):
    """Section names are case-sensitive (as in every SDK); the keys inside are not."""
    return {name: _lower_keys(keys) for name, keys in sections.items()}


def botocore_view(config_path=None, credentials_path=None):
    """Return the dump-shaped dict botocore builds from the two files.

    A path of None means: take it the way botocore would (environment, then
    default under ~/.aws).
    """
    import botocore.session

    session = botocore.session.Session()
    if config_path is not None:
        session.set_config_variable("config_file", config_path)
    if credentials_path is not None:
        session.set_config_variable("credentials_file", credentials_path)
    full = session.full_config
    return {
        "profiles": _sections(full.get("profiles", {})),
        "sso-sessions": _sections(full.get("sso_sessions", {})),
        "services": _sections(full.get("services", {})),
    }


def main(argv):
    args = list(argv[1:])
    pretty = False
    if "-h" in args or "--help" in args:
        print(__doc__)
        return 0
    if "--pretty" in args:
        pretty = True
        args = [a for a in args if a != "--pretty"]
    if any(a.startswith("--") for a in args) or len(args) > 2:
        sys.stderr.write("usage: botocore_view.py [--pretty] [CONFIG [CREDENTIALS]]\n")
        return 2

    config_path = args[0] if len(args) >= 1 and args[0] != "-" else None
    credentials_path = args[1] if len(args) >= 2 and args[1] != "-" else None
    if config_path is None and os.environ.get("AWS_CONFIG_FILE"):
        config_path = os.environ["AWS_CONFIG_FILE"]
    if credentials_path is None and os.environ.get("AWS_SHARED_CREDENTIALS_FILE"):
        credentials_path = os.environ["AWS_SHARED_CREDENTIALS_FILE"]

    try:
        import botocore  # noqa: F401
    except ImportError as e:
        sys.stderr.write(
            "botocore_view.py: cannot import botocore (%s); "
            "run scripts/setup-test-deps.sh and use .tools/venv/bin/python\n" % e
        )
        return 1

    import botocore.exceptions

    try:
        view = botocore_view(config_path, credentials_path)
    except botocore.exceptions.BotoCoreError as e:
        sys.stderr.write("%s\n" % e)
        cause = getattr(e, "kwargs", {}).get("error")
        if cause is not None:
            # botocore's message names only the file; configparser's says why.
            sys.stderr.write("caused by: %s: %s\n" % (type(cause).__name__, cause))
        return 1
    except (UnicodeDecodeError, OSError, ValueError) as e:
        # Not wrapped by botocore on every path (e.g. a file that cannot be read).
        sys.stderr.write("%s: %s\n" % (type(e).__name__, e))
        return 1

    if pretty:
        text = json.dumps(view, indent=2, sort_keys=True, ensure_ascii=False)
    else:
        text = json.dumps(view, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
