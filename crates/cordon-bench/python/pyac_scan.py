"""The term scan a Python user would write with pyahocorasick, timed on the same terms and
listings bench_screen screened: argv[1] is the terms file (one per line), argv[2] the listings
(title TAB description per line). Prints one line: `listings seconds matches`."""
import sys
import time

import ahocorasick

with open(sys.argv[1], encoding="utf-8") as f:
    terms = [t.rstrip("\n").lower() for t in f if t.strip()]
with open(sys.argv[2], encoding="utf-8") as f:
    listings = [line.rstrip("\n").split("\t", 1) for line in f]

automaton = ahocorasick.Automaton()
for i, term in enumerate(terms):
    automaton.add_word(term, i)
automaton.make_automaton()

start = time.perf_counter()
matches = 0
for fields in listings:
    for text in fields:
        # Case-insensitive like the bare Rust scan: lower-case, then scan.
        for _ in automaton.iter(text.lower()):
            matches += 1
elapsed = time.perf_counter() - start
print(len(listings), elapsed, matches)
