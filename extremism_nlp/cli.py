"""Command line: `extremism-nlp classify|train|evaluate|data ...`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

logger = logging.getLogger(__name__)


def _cmd_data_stats(args: argparse.Namespace) -> int:
    from .data.corpus import load_corpus_with_stats
    from .data.stats import format_stats

    _, stats = load_corpus_with_stats(args.data_dir, args.sources, rebuild=args.rebuild)
    print(format_stats(stats))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="extremism-nlp", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="inspect the training corpus")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    stats = data_commands.add_parser("stats", help="rows per source, language, label and split; duplicates; skipped rows")
    stats.add_argument("--data-dir", help="folder of the raw corpora (default: $EXTREMISM_NLP_DATA or ../shared/data)")
    stats.add_argument("--sources", nargs="+", help="registry names to include (default: all present)")
    stats.add_argument("--rebuild", action="store_true", help="ignore the cache and rebuild from the raw files")
    stats.set_defaults(handler=_cmd_data_stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.handler(args)
    except (FileNotFoundError, ValueError, TypeError, ImportError) as error:
        # Errors the user can act on: say what was wrong and how to fix it, no traceback.
        print(f"extremism-nlp: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `extremism-nlp ... | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
