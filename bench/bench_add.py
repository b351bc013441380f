"""Throughput of `wirecheck add`: N distinct article pages from loopback into a temp corpus.

    python bench/bench_add.py [-n 200]

Prints one JSON object: articles/s, p50/p95 seconds per article (fetch + extract + write, timed
between progress callbacks), a second pass over the same URLs (all unchanged), and peak RSS.
Everything runs on 127.0.0.1 and in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from webserver import LoopbackServer, Reply, news_page  # noqa: E402

from retrieval.adding import add_urls  # noqa: E402
from retrieval.corpus import load_corpus  # noqa: E402
from retrieval.settings import Settings  # noqa: E402

WORDS = (
    "minister talks said officials sanctions ceasefire Kremlin Tehran strikes statement "
    "agreement economy week market security reporters confirmed according government"
).split()


def paragraphs(n: int) -> list[str]:
    """Six paragraphs of distinct news-like text (~1 KB), so every page extracts differently."""
    out = []
    for p in range(6):
        words = [WORDS[(n * 7 + p * 3 + i * i) % len(WORDS)] for i in range(30)]
        out.append(f"Paragraph {p} of story {n}: " + " ".join(words).capitalize() + ".")
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def timed_run(settings: Settings, urls: list[str]) -> tuple[float, list[float], dict]:
    marks = [time.perf_counter()]
    report = add_urls(settings, urls, progress=lambda *_: marks.append(time.perf_counter()))
    per_article = [b - a for a, b in zip(marks, marks[1:], strict=False)]
    return marks[-1] - marks[0], per_article, report.to_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="number of article pages")
    args = parser.parse_args()
    with LoopbackServer() as server, tempfile.TemporaryDirectory() as tmp:
        urls = [
            server.route(f"/news/story-{n}", Reply(body=news_page(f"Story {n}", paragraphs(n))))
            for n in range(args.n)
        ]
        settings = Settings(
            corpus_dir=Path(tmp) / "corpus",
            store_dir=Path(tmp) / "store",
            fetch_allow_hosts=(f"127.0.0.1:{server.port}",),
        )
        seconds, per_article, report = timed_run(settings, urls)
        again_seconds, _, again = timed_run(settings, urls)
        articles, errors = load_corpus(settings.corpus_dir)
        print(
            json.dumps(
                {
                    "articles": args.n,
                    "added": report["added"],
                    "failed": report["failed"],
                    "articles_per_s": round(args.n / seconds, 1),
                    "p50_s": round(pct(per_article, 0.5), 4),
                    "p95_s": round(pct(per_article, 0.95), 4),
                    "readd_unchanged": again["unchanged"],
                    "readd_articles_per_s": round(args.n / again_seconds, 1),
                    "loaded_back": len(articles),
                    "load_errors": len(errors),
                    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                }
            )
        )


if __name__ == "__main__":
    main()
