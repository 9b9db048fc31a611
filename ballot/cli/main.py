"""The `ballot` command line: a thin shell over the services and the pure core."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from ballot import __version__
from ballot.language.text import Text
from ballot.language.vocabulary import OPTIONS
from ballot.services.errors import ServiceError
from ballot.tally.engine import tally
from ballot.tally.errors import TallyError
from ballot.tally.profile import resolve
from ballot.tally.profiles import load_profile, profile_ids
from ballot.tally.report import outcome, outcome_text, setting
from ballot.tally.scenario import parse_scenario
from ballot.tally.slate import build_slate, parse_weights, read_reviews, slate_report

MAX_INPUT_BYTES = 10 * 1024 * 1024
MAX_RECORD_BYTES = 1024 * 1024 * 1024  # a record carries every ballot: ~100 KB each


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _read_input(path: str, what: str, limit: int = MAX_INPUT_BYTES) -> str:
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with Path(path).open("rb") as f:
                data = f.read(limit + 1)
    except OSError as e:
        raise TallyError(
            Text(
                en=f"cannot read {what} {path}: {e.strerror}",
                zh=f"无法读取{what} {path}：{e.strerror}",
            )
        ) from None
    if len(data) > limit:
        raise TallyError(
            Text(
                en=f"{path} is larger than {limit // 1024 // 1024} MiB",
                zh=f"{path} 超过 {limit // 1024 // 1024} MiB",
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise TallyError(
            Text(
                en=f"{path} is not UTF-8 text (byte {e.start})",
                zh=f"{path} 不是 UTF-8 文本（第 {e.start} 字节）",
            )
        ) from None


def _load_json(text: str, path: str, strict: bool = False) -> Any:
    """`strict`: a record, read by its grammar's reader (`protocol.grammar.loads`: repeated
    keys kept for `record-format` to name, no fractions, no NaN)."""
    from ballot.protocol import grammar

    try:
        return grammar.loads(text) if strict else json.loads(text)
    except json.JSONDecodeError as e:
        raise TallyError(
            Text(
                en=f"{path} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}",
                zh=f"{path} 不是有效的 JSON：第 {e.lineno} 行第 {e.colno} 列，{e.msg}",
            )
        ) from None
    except ValueError as e:
        raise TallyError(
            Text(
                en=f"{path} is not a record: {e}",
                zh=f"{path} 不是投票记录：含有记录不允许的数（小数、指数、NaN 或 Infinity）",
            )
        ) from None


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_replay(args: argparse.Namespace) -> int:
    raw = _load_json(_read_input(args.file, "scenario"), args.file)
    scenario = parse_scenario(raw, load_profile)
    result = tally(scenario.rules, scenario.meeting, scenario.rounds, scenario.motions)
    if args.text:
        sys.stdout.write(outcome_text(result))
    else:
        _print_json(outcome(result))
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    if args.id is None:
        for pid in profile_ids():
            p = load_profile(pid)
            print(f"{pid:16} {p.title.zh} — {p.title.en}")
        return 0
    p = load_profile(args.id)
    rules = resolve(p)
    data: dict[str, Any] = {
        "id": p.id,
        "title": p.title.as_dict(),
        "document": p.document,
        "body": p.body.as_dict(),
        "tiers": [{"id": t.id, "name": t.name.as_dict()} for t in p.tiers],
        "settings": [setting(s) for s in rules.settings()]
        + [setting(p.slate_weights), setting(p.slate_lists)],
    }
    if args.json:
        _print_json(data)
        return 0
    print(f"{p.id}: {p.title.zh} — {p.title.en}")
    print(f"  {p.document}; voting body: {p.body.zh} ({p.body.en})")
    print("  tiers: " + ", ".join(f"{t.id} ({t.name.zh})" for t in p.tiers))
    for s in data["settings"]:
        value = "—" if s["source"] == "unstated" else json.dumps(s["value"], ensure_ascii=False)
        print(f"  {s['setting']:22} {value}")
        print(f"  {'':22} [{s['source']}] {s['note']}")
    return 0


def cmd_slate(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    reviews = read_reviews(_read_input(args.file, "scores"))
    weights = None
    if args.weights is not None:
        pairs = [p.partition("=") for p in args.weights.split(",")]
        if any(not sep for _, sep, _ in pairs):
            raise TallyError(
                Text(
                    en="--weights takes component=fraction pairs, e.g. document=3/10,site=7/10",
                    zh="--weights 须为“评分项=比例”的组合，例如 document=3/10,site=7/10",
                )
            )
        weights = parse_weights({k.strip(): v for k, _, v in pairs}, "--weights")
    slate = build_slate(profile, reviews, weights)
    for lst in slate.lists:
        if lst.tie is not None:
            print(f"ballot: warning: {lst.reasons[-1].one_line()}", file=sys.stderr)
    _print_json(slate_report(profile, slate))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from ballot.devtools import bench

    if args.repeats is None:
        args.repeats = 5 if args.browser else 9
    if not 1 <= args.candidates <= 200:
        raise UsageError("--candidates must be between 1 and 200")
    if not 1 <= args.max_approvals <= args.candidates:
        raise UsageError("--max-approvals must be between 1 and --candidates")
    if not 1 <= args.repeats <= 1000:
        raise UsageError("--repeats must be between 1 and 1000")
    if not 1 <= args.throttle <= 20:
        raise UsageError("--throttle must be between 1 and 20")
    if args.throttle != 1 and not args.browser:
        raise UsageError("--throttle slows the browser; it goes with --browser")
    if args.browser:
        return _bench_browser(args)
    result = bench.run(args.candidates, args.max_approvals, args.repeats, naive=args.naive)
    if args.json:
        _print_json(result)
    else:
        sys.stdout.write(bench.report_text(result))
    return 0


def _bench_browser(args: argparse.Namespace) -> int:
    """`ballot bench --browser`: status 0 when the cold ballot is within the limit, 1 when it
    is over (or the benchmark failed), 2 without Playwright or Chromium."""
    from ballot.devtools import browser_bench

    if args.naive:
        raise UsageError("--naive times the Python checks; it does not go with --browser")
    try:
        result = browser_bench.run_browser_bench(
            args.candidates, args.max_approvals, args.repeats, throttle=args.throttle
        )
    except browser_bench.BrowserUnavailable as e:
        print(f"ballot: {e}", file=sys.stderr)
        return 2
    except browser_bench.BenchFailed as e:
        print(f"ballot: the browser benchmark failed: {e}", file=sys.stderr)
        return 1
    if args.json:
        _print_json(result)
    else:
        sys.stdout.write(browser_bench.report_text(result))
    if not result["ok"]:
        print(
            f"ballot: the cold ballot took {result['cold_ms']} ms, over the "
            f"{result['limit_ms']} ms limit",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_vectors(args: argparse.Namespace) -> int:
    from ballot.devtools import vectors

    for path in vectors.write(Path(args.out)):
        print(path)
    return 0


def _expected_key(text: str | None) -> str | None:
    """--expect-key as typed (24 digits; spaces or dashes between groups are fine)."""
    from ballot.protocol.fingerprint import parse_fingerprint

    if text is None:
        return None
    found = parse_fingerprint(text)
    if found is None:
        raise UsageError(
            f"--expect-key {text!r} is not an election key fingerprint: give the 24 digits the "
            "scrutineers read out (groups of four, e.g. '0123 4567 8901 2345 6789 0123') | "
            "--expect-key 须为监票人宣读的 24 位数字指纹（四位一组）"
        )
    return found


_TRACKER_SAID = {
    "counted": (
        "your ballot is in the record and counted: round {n}, event {seq}",
        "您的选票在记录中并已计票：第 {n} 轮，第 {seq} 条事件",
    ),
    "void": (
        "your ballot is in the record, round {n}, but that round was void (held again): it "
        "was not counted",
        "您的选票在记录中（第 {n} 轮），但该轮无效并重新投票，未计票",
    ),
    "not-counted": (
        "your ballot is in the record, round {n}, which is closed but not counted yet",
        "您的选票在记录中（第 {n} 轮），该轮已结束但尚未计票",
    ),
    "not-closed": (
        "your ballot is in the record, round {n}, which the record does not show closed: it "
        "is not counted",
        "您的选票在记录中（第 {n} 轮），但记录未显示该轮结束，未计票",
    ),
    "absent": ("your ballot is NOT in the record", "记录中没有您的选票"),
}


def cmd_verify(args: argparse.Namespace) -> int:
    from ballot import verify

    record = _load_json(_read_input(args.file, "record", MAX_RECORD_BYTES), args.file, strict=True)
    if hasattr(sys.stdout, "reconfigure"):  # a record's text is never a reason to crash
        sys.stdout.reconfigure(errors="backslashreplace")
    tracker = None
    if args.tracker is not None:
        tracker = verify.parse_tracker(args.tracker)
        if tracker is None:
            raise UsageError(
                "a tracker is 64 hexadecimal digits (spaces, dashes and either case are fine): "
                "copy it from your ballot page | 回执为 64 位十六进制字符（可含空格、连字符，大小写均可）："
                "请从您的投票页面照抄"
            )
    digest = None
    if args.expect_digest is not None:
        digest = verify.parse_digest(args.expect_digest)
        if digest is None:
            raise UsageError(
                f"--expect-digest {args.expect_digest!r} is not a record fingerprint: give the 64 "
                "hexadecimal digits the results page or the printed result shows | "
                "--expect-digest 须为结果页或纸质结果上的 64 位十六进制记录指纹"
            )
    last = [""]

    def progress(what: str, done: int, total: int) -> None:
        if args.json or not sys.stderr.isatty():
            return
        line = f"\r  checking {what} {done}/{total} " if total > 1 else f"\r  checking {what} "
        sys.stderr.write(line.ljust(len(last[0])))
        last[0] = line
        sys.stderr.flush()

    verifier = verify.Verifier(
        record, progress, expect_key=_expected_key(args.expect_key), expect_digest=digest
    )
    checks = verifier.run()
    if last[0]:
        sys.stderr.write("\r" + " " * len(last[0]) + "\r")
    report = verify.summary(checks)
    # what follows reads the record's events as they are: only a record whose every event has
    # its grammar's form (record-format) is read, so a malformed one is reported, never a crash
    readable = verifier.evidence.well_formed
    report["election_key"] = {
        "fingerprint": getattr(verifier.evidence, "fingerprint", None),
        "pinned": args.expect_key is not None,
    }
    report["client_files"] = verify.client_files(record) if readable else []
    report["code_replacements"] = verify.code_replacements(record) if readable else []
    report["key_replacements"] = verify.key_replacements(record) if readable else []
    report["signers"] = verify.signers(record) if readable else None
    report["relied_on"] = verify.relied_on(verifier.evidence) if readable else None
    if report["relied_on"] is not None:
        report["relied_on"]["record_fingerprint_pinned"] = digest is not None
    report["warnings"] = verify.warnings(verifier.evidence) if readable else []
    if tracker is not None:
        found = (
            verify.find_tracker(record, tracker)
            if readable
            else {"found": False, "counted": False, "status": "absent"}
        )
        en, zh = _TRACKER_SAID[str(found["status"])]
        n, seq = found.get("round"), found.get("seq")
        report["tracker"] = found
        said = f"{en.format(n=n, seq=seq)} | {zh.format(n=n, seq=seq)}"
        if not report["ok"]:
            said += (
                " — but the record does NOT verify, so this says nothing: ask the scrutineers | "
                "但该记录未通过验证，上述结论不可信：请询问监票人"
            )
    if args.json:
        _print_json(report)
        return 0 if report["ok"] and (tracker is None or report["tracker"]["counted"]) else 1
    if tracker is not None:
        print(said)
    for c in report["checks"]:
        if tracker is not None and not args.all and c["result"] != "FAIL":
            continue  # (a member asks about their ballot: the checks that failed, if any)
        print(
            f"{c['result']}  {c['check']:18} {c['title']['en']} | {c['title']['zh']} ({c['items']})"
        )
        if c.get("skipped"):
            print(f"      - {c['skipped']}")
        for failure in c["failures"][:20]:
            print(f"      - {failure}")
        if len(c["failures"]) > 20:
            print(f"      … and {len(c['failures']) - 20} more")
    if tracker is None or args.all:
        _print_verify_details(report)
    print(
        "ALL CHECKS PASSED | 全部检查通过" if report["ok"] else "VERIFICATION FAILED | 验证未通过"
    )
    if tracker is not None:
        return 0 if report["ok"] and report["tracker"]["counted"] else 1
    return 0 if report["ok"] else 1


def _print_verify_details(report: dict[str, Any]) -> None:
    """The browser files, the office's code replacements, the signers, what verify relied on,
    and the warnings (a member key the office replaced is one of them)."""
    from ballot import verify

    for f in report["client_files"]:
        same = (
            "same as this installed version | 与本机安装版本相同"
            if f["same_as_installed"]
            else "DIFFERS from this installed version | 与本机安装版本不同"
        )
        print(f"browser file {f['file']}: sha256 {f['sha256'][:16]}… {same}")
    for x in report["code_replacements"]:
        print(
            f"note: event {x['seq']}: the office replaced the access code of {x['role']} "
            f"{x['name']}; ask them whether they asked for it | 注意：第 {x['seq']} 项，"
            f"会务组更换了 {x['name']} 的访问码，请向本人核实"
        )
    if report["signers"] is not None:
        for line in verify.signers_text(report["signers"]):
            print(line)
    if report["relied_on"] is not None:
        for line in verify.relied_text(report["relied_on"]):
            print(line)
    for w in report["warnings"]:
        print(f"warning | 警告: {w['en']} | {w['zh']}")


def cmd_demo(args: argparse.Namespace) -> int:
    from ballot.devtools import demo

    if not args.simulate:
        raise UsageError("only --simulate exists until the web app does")
    out = Path(args.out)
    try:
        result = demo.simulate(
            args.members,
            args.present,
            args.candidates,
            args.seed,
            out,
            database_url=args.database_url,
            all_tiers=args.all_tiers,
            profile=args.profile,
        )
    except ValueError as e:
        raise UsageError(str(e)) from None
    print(f"record written to {out}; check it with: ballot verify {out}")
    print(f"记录已写入 {out}；请用 ballot verify {out} 核验")
    return 0 if result["complete"] else 1


def _passphrase_reader(file: str | None, what: str) -> Callable[[bool], str]:
    """A passphrase from `file`, else asked on the terminal (twice for a new file)."""
    import getpass

    def read(new: bool) -> str:
        if file:
            try:
                return Path(file).read_text(encoding="utf-8").strip()
            except OSError as e:
                raise UsageError(f"cannot read {file}: {e.strerror}") from None
        first = getpass.getpass(f"passphrase for {what} | 口令: ")
        if new and getpass.getpass("again | 再输入一次: ") != first:
            raise UsageError("the two passphrases differ | 两次口令不一致")
        return first

    return read


def cmd_vote(args: argparse.Namespace) -> int:
    from ballot.clients import voter
    from ballot.clients.http import ClientError

    try:
        tracker = voter.vote(
            args.url,
            args.code,
            args.choices,
            expect_key=_expected_key(args.expect_key),
            say=print,
            passphrase=_passphrase_reader(args.passphrase_file, "your member key file"),
            key_file=Path(args.member_key) if args.member_key else None,
        )
    except ClientError as e:
        print(f"ballot: {e.text.one_line()}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"ballot: cannot reach {args.url}: {e} | 无法连接服务器", file=sys.stderr)
        return 1
    if tracker is None:
        print(
            "nothing cast (no --choices): run again with --choices once the chair opens the "
            "round | 未投票（未给 --choices）：主任开始投票后请加 --choices 再运行"
        )
        return 0
    print(f"cast; your tracker (keep it) | 已投出；您的回执（请保存）: {tracker}")
    return 0


def cmd_ceremony(args: argparse.Namespace) -> int:
    import getpass

    from ballot.clients import ceremony as ceremony_client
    from ballot.clients.http import ClientError

    if args.passphrase_file:
        try:
            passphrase = Path(args.passphrase_file).read_text(encoding="utf-8").strip()
        except OSError as e:
            raise UsageError(f"cannot read {args.passphrase_file}: {e.strerror}") from None
    else:
        passphrase = getpass.getpass("passphrase for the share file | 份额文件口令: ")
        if getpass.getpass("again | 再输入一次: ") != passphrase:
            print("ballot: the two passphrases differ | 两次口令不一致", file=sys.stderr)
            return 1
    try:
        ceremony_client.run_ceremony(args.url, args.code, Path(args.out), passphrase)
    except ClientError as e:
        print(f"ballot: {e.text.one_line()}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"ballot: cannot reach {args.url} or write {args.out}: {e}", file=sys.stderr)
        return 1
    return 0


T = TypeVar("T")


def _reaching(url: str, act: Callable[[], T]) -> T | None:
    """A client's run against the server at `url`; None (said on stderr) if it was refused or
    the server could not be reached."""
    from ballot.clients.http import ClientError

    try:
        return act()
    except ClientError as e:
        print(f"ballot: {e.text.one_line()}", file=sys.stderr)
    except OSError as e:
        print(f"ballot: cannot reach {url}: {e} | 无法连接服务器", file=sys.stderr)
    return None


def cmd_scrutinise(args: argparse.Namespace) -> int:
    from ballot.clients import scrutineer
    from ballot.crypto import keystore
    from ballot.crypto.errors import CryptoError

    expect = _expected_key(args.expect_key)
    try:
        text = Path(args.share).read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot read {args.share}: {e.strerror}") from None
    try:
        share = keystore.open_share(
            text, _passphrase_reader(args.passphrase_file, "your share file")(False)
        )
    except CryptoError as e:
        print(f"ballot: {e.text.one_line()}", file=sys.stderr)
        return 1
    sent = _reaching(
        args.url,
        lambda: scrutineer.run_scrutineer(
            args.url, args.code, share, expect, once=args.once, sign_result=args.sign_result
        ),
    )
    if sent is None:
        return 1
    if not sent:
        print("no closed round was waiting for your shares | 没有等待您份额的已结束轮次")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from ballot.protocol import audit

    doc = _load_json(_read_input(args.file, "audit file"), args.file)
    record = None
    if args.record:
        record = _load_json(
            _read_input(args.record, "record", MAX_RECORD_BYTES), args.record, strict=True
        )
    try:
        result = audit.audit(doc, record)
    except audit.AuditError as e:
        print(f"AUDIT FAILED | 审计未通过: {e.text.one_line()}")
        return 1
    words = {option: f"{text.en} {text.zh}" for option, text in OPTIONS.items()}
    print(
        f"round {result.round_id}: the page encrypted exactly these choices | 页面如实加密了以下选择:"
    )
    for name, mark in result.marks:
        print(f"  {name}: {words[mark]}")
    print(f"tracker {result.tracker} (this audited ballot is never cast | 审计过的选票不会投出)")
    if result.checked_against_record:
        print("key and round match the record | 公钥与轮次与记录一致")
    else:
        print("(add --record FILE to check the key and the round against the published record)")
    print("AUDIT PASSED | 审计通过")
    return 0


def cmd_office(args: argparse.Namespace) -> int:
    from ballot.services import accounts
    from ballot.services.unit import open_database, transaction

    engine, db = open_database(args.database_url)
    with transaction(db) as session:
        _, code = accounts.create_account(session, "office", args.name)
    engine.dispose()
    print(f"office login for {args.name} | 会务组登录: {code}")
    print("shown this once; only its hash is stored | 仅显示这一次，服务器只保存其哈希")
    return 0


def default_workers() -> int:
    """One worker per core, plus one to use a core while another waits on the database
    (bench/rooms.py: about 10 % more casts a second than one per core on 2 cores)."""
    return min(32, (os.cpu_count() or 1) + 1)


def cmd_serve(args: argparse.Namespace) -> int:
    from ballot.cli import serve

    if not 1 <= args.port <= 65535:
        raise UsageError("--port must be between 1 and 65535")
    if not 1 <= args.workers <= 32:
        raise UsageError("--workers must be between 1 and 32")
    if bool(args.certfile) != bool(args.keyfile):
        raise UsageError("--certfile and --keyfile go together")
    if args.profile not in profile_ids():
        known = ", ".join(profile_ids())
        raise UsageError(f"--profile must be one of {known} | --profile 须为 {known} 之一")
    return serve.run(
        args.host,
        args.port,
        args.demo,
        args.database_url,
        args.keys,
        args.workers,
        args.certfile,
        args.keyfile,
        args.profile,
    )


def build_parser() -> Parser:
    parser = Parser(
        prog="ballot",
        description="Verifiable secret-ballot voting for quality-award "
        "committees (市长质量奖评委会无记名投票).",
    )
    parser.add_argument("--version", action="version", version=f"ballot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    replay = sub.add_parser(
        "replay", help="decide a meeting from its vote counts (JSON in, JSON out)"
    )
    replay.add_argument("file", help="scenario JSON file, or - for standard input")
    replay.add_argument(
        "--text", action="store_true", help="print for people (Chinese and English) instead of JSON"
    )
    replay.set_defaults(run=cmd_replay)

    profiles = sub.add_parser(
        "profiles", help="list the rule profiles, or show one with the clause behind every setting"
    )
    profiles.add_argument("id", nargs="?", help="profile id, e.g. jiaxing-2020")
    profiles.add_argument("--json", action="store_true", help="print JSON")
    profiles.set_defaults(run=cmd_profiles)

    slate = sub.add_parser(
        "slate", help="weighted scores and candidate lists per tier from a review-scores CSV"
    )
    slate.add_argument("file", help="CSV with a header: organisation,document,site[,defence]")
    slate.add_argument("--profile", required=True, help="rules profile, e.g. jiaxing-2020")
    slate.add_argument(
        "--weights", help="override the profile's weights, e.g. document=3/10,site=7/10"
    )
    slate.set_defaults(run=cmd_slate)

    bench_cmd = sub.add_parser("bench", help="time encrypting and validating one ballot here")
    bench_cmd.add_argument("--candidates", type=int, default=16)
    bench_cmd.add_argument("--max-approvals", type=int, default=5)
    bench_cmd.add_argument(
        "--repeats", type=int, help="runs per median (default 9; 5 with --browser)"
    )
    bench_cmd.add_argument(
        "--naive", action="store_true", help="also time the same checks without tables or batching"
    )
    bench_cmd.add_argument(
        "--browser",
        action="store_true",
        help="time the member's device work in headless Chromium instead (needs Playwright "
        "and /usr/bin/chromium); exit status 1 when the cold ballot is over 1500 ms",
    )
    bench_cmd.add_argument(
        "--throttle",
        type=float,
        default=1.0,
        help="with --browser: slow Chromium's CPU this many times, as for a phone (1–20)",
    )
    bench_cmd.add_argument("--json", action="store_true", help="print JSON")
    bench_cmd.set_defaults(run=cmd_bench)

    dem = sub.add_parser("demo", help="run a whole simulated meeting headless")
    dem.add_argument("--simulate", action="store_true", help="simulate the members' devices")
    dem.add_argument("--members", type=int, default=15)
    dem.add_argument("--present", type=int, default=12)
    dem.add_argument("--candidates", type=int, default=8)
    dem.add_argument("--seed", type=int, default=2020)
    dem.add_argument("--out", default="ballot-record.json", help="where to write the record")
    dem.add_argument(
        "--database-url", help="store the meeting there (default: a temporary SQLite file)"
    )
    dem.add_argument(
        "--all-tiers",
        action="store_true",
        help="a tie at the cut-off in every tier (jiaxing-2020: also the innovation award, six "
        "rounds)",
    )
    dem.add_argument(
        "--profile",
        default="jiaxing-2020",
        help="the regulation the meeting follows: " + ", ".join(profile_ids()) + " (default "
        "jiaxing-2020); where it leaves the quorum or the threshold open, the demo's committee "
        "sets 2/3 and 1/2 of all members and says so",
    )
    dem.set_defaults(run=cmd_demo)

    ver = sub.add_parser("verify", help="check a published meeting record offline")
    ver.add_argument("file", help="the record (JSON), or - for standard input")
    ver.add_argument("--json", action="store_true", help="print JSON")
    ver.add_argument(
        "--tracker",
        help="say whether the ballot with this tracker is in the record and counted (as the "
        "ballot page shows it: spaces and either case are fine)",
    )
    ver.add_argument(
        "--all",
        action="store_true",
        help="with --tracker, print every check and what verify relied on (the checks always "
        "run: a ballot counts as counted only in a record that verifies)",
    )
    ver.add_argument(
        "--expect-key",
        metavar="FINGERPRINT",
        help="the election key fingerprint the scrutineers read out (24 digits): the record "
        "must have been made under that key (check election-key)",
    )
    ver.add_argument(
        "--expect-digest",
        metavar="FINGERPRINT",
        help="the record fingerprint (hash of the last event, 64 hex digits) from the results "
        "page or the signed printed result: the record must be that one (check record-digest)",
    )
    ver.set_defaults(run=cmd_verify)

    srv = sub.add_parser("serve", help="run the web app (with --demo: a demo committee)")
    srv.add_argument("--demo", action="store_true", help="prepare a demo meeting and print logins")
    srv.add_argument(
        "--profile",
        default="jiaxing-2020",
        help="with --demo, the regulation the demo meeting follows: " + ", ".join(profile_ids()),
    )
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    srv.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    srv.add_argument(
        "--database-url", help="default: DATABASE_URL, else ./ballot.sqlite3 (demo: its own)"
    )
    srv.add_argument("--keys", help="the keys folder (default: BALLOT_KEYS, else ./keys)")
    srv.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help=f"gunicorn workers (default: the machine's cores + 1, here {default_workers()})",
    )
    srv.add_argument("--certfile", help="TLS certificate (needed beyond localhost)")
    srv.add_argument("--keyfile", help="TLS private key")
    srv.set_defaults(run=cmd_serve)

    aud = sub.add_parser(
        "audit", help="check that the ballot page encrypted what was chosen (audit file)"
    )
    aud.add_argument("file", help="the audit file the ballot page gave (JSON)")
    aud.add_argument("--record", help="also check key and round against this record")
    aud.set_defaults(run=cmd_audit)

    off = sub.add_parser("office", help="create an office login (the first one) and print its code")
    off.add_argument("--name", default="会务组", help="whose login (default 会务组)")
    off.add_argument("--database-url", help="default: DATABASE_URL, else ./ballot.sqlite3")
    off.set_defaults(run=cmd_office)

    cer = sub.add_parser(
        "ceremony", help="a scrutineer's side of the key ceremony, on their own computer"
    )
    cer.add_argument("url", help="the server, e.g. https://ballot.example.org")
    cer.add_argument("--code", required=True, help="your access code (scrutineer)")
    cer.add_argument("--out", required=True, help="where to write your share file")
    cer.add_argument(
        "--passphrase-file", help="read the share file's passphrase from this file (else asked)"
    )
    cer.set_defaults(run=cmd_ceremony)

    scr = sub.add_parser(
        "scrutinise",
        help="a scrutineer's side of counting: check each closed round, accept it, decrypt it",
    )
    scr.add_argument("url", help="the server, e.g. https://ballot.example.org")
    scr.add_argument("--code", required=True, help="your access code (scrutineer)")
    scr.add_argument("--share", required=True, metavar="FILE", help="your share file")
    scr.add_argument(
        "--passphrase-file", help="read the share file's passphrase from this file (else asked)"
    )
    scr.add_argument(
        "--expect-key",
        metavar="FINGERPRINT",
        help="the election key fingerprint read out at the ceremony: refuse a share file of any "
        "other key",
    )
    scr.add_argument(
        "--once",
        action="store_true",
        help="handle the rounds closed now and stop (default: watch until the meeting closes)",
    )
    scr.add_argument(
        "--sign-result",
        action="store_true",
        help="once the result is complete, verify the whole record and sign the result with "
        "your share key (check it against the result announced first)",
    )
    scr.set_defaults(run=cmd_scrutinise)

    vt = sub.add_parser("vote", help="cast your ballot from the command line")
    vt.add_argument("url", help="the server, e.g. https://ballot.example.org")
    vt.add_argument("--code", required=True, help="your access code")
    vt.add_argument(
        "--choices",
        help="one per candidate in ballot order: a (approve), o (oppose), x (abstain), e.g. "
        "a,o,x; without it, ballot vote only confirms your presence once you are checked in "
        "(before the round opens: only confirmed members count towards the quorum)",
    )
    vt.add_argument(
        "--expect-key",
        metavar="FINGERPRINT",
        help="the election key fingerprint shown on the projector (24 digits): refuse to vote "
        "under any other key",
    )
    vt.add_argument(
        "--member-key",
        metavar="FILE",
        help="your member key file for this meeting, sealed under a passphrase: made and "
        "enrolled on first use (default ./ballot-member-key-<meeting>-<your name>.json)",
    )
    vt.add_argument(
        "--passphrase-file",
        help="read the member key file's passphrase from this file (else asked)",
    )
    vt.set_defaults(run=cmd_vote)

    vec = sub.add_parser("vectors", help="write test vectors for a second implementation")
    vec.add_argument("--out", default="tests/vectors", help="folder (default tests/vectors)")
    vec.set_defaults(run=cmd_vectors)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.run(args))
    except UsageError as e:
        print(f"ballot: {e}", file=sys.stderr)
        return 2
    except TallyError as e:
        print(f"ballot: {e.text.one_line()}", file=sys.stderr)
        return 2
    except ServiceError as e:  # e.g. a database that cannot be opened
        print(f"ballot: {e.text.one_line()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `ballot replay x.json | head`
        sys.stderr.close()
        return 0
