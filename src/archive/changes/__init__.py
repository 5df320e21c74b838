"""Edits and takedowns: what archived articles became when they were checked again.

Every check of an archived article gives an observation (`verdict`): the page is live,
gone (404, 410, a redirect to the home or a list page, a "page not found" template),
unreachable (a challenge page, a 5xx, a timeout) or unknown. Each article's observations
drive a small state machine (`status`), which declares an edit at once and a removal only
once it is seen twice, `removal_after` apart. Edits are found by comparing the extracted
records (`diff`, `classify`), never the HTML, so moving parts such as view counters never
make one. The events form the `changes/` dataset (`events`), made during crawls and
again from the WARC files alone by `archive reextract` (`derive`).
"""
