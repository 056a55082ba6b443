"""The taggers people use today, timed on the same terms and text as
podgraph's archive benchmark (benches/archive.rs runs this script).

Usage: python baselines.py TOOL TERMS TEXT [MAX_MB]
  TOOL   flashtext (KeywordProcessor) or spacy (PhraseMatcher, blank English
         pipeline, LOWER attribute)
  TERMS  one term per line
  TEXT   one turn per line; the first MAX_MB megabytes are tagged
Prints one JSON object: tool, bytes, seconds (tagging only, set-up
excluded), matches.
"""

import json
import sys
import time


def main():
    tool, terms_path, text_path = sys.argv[1:4]
    max_mb = float(sys.argv[4]) if len(sys.argv) > 4 else 0
    with open(text_path, encoding="utf-8") as f:
        text = f.read()
    if max_mb:
        cut = int(max_mb * 1e6)
        text = text[: text.rfind("\n", 0, cut) + 1] if len(text) > cut else text
    lines = text.split("\n")
    with open(terms_path, encoding="utf-8") as f:
        terms = [t.strip() for t in f if t.strip()]
    matches = 0
    if tool == "flashtext":
        from flashtext import KeywordProcessor

        kp = KeywordProcessor(case_sensitive=False)
        for t in terms:
            kp.add_keyword(t)
        start = time.perf_counter()
        for line in lines:
            matches += len(kp.extract_keywords(line))
        seconds = time.perf_counter() - start
    elif tool == "spacy":
        import spacy
        from spacy.matcher import PhraseMatcher

        nlp = spacy.blank("en")
        matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        matcher.add("TERMS", list(nlp.tokenizer.pipe(terms)))
        start = time.perf_counter()
        for doc in nlp.tokenizer.pipe(lines, batch_size=1000):
            matches += len(matcher(doc))
        seconds = time.perf_counter() - start
    else:
        sys.exit(f"unknown tool {tool}")
    print(json.dumps({"tool": tool, "bytes": len(text.encode("utf-8")), "seconds": seconds, "matches": matches}))


if __name__ == "__main__":
    main()
