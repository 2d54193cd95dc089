"""The pure domain: money, dates, tax, payment terms, business days, aging buckets, match scores, words.

Nothing here reads a file, the clock or Excel: functions take data (and an ``as_of`` date where time
matters) and return data, so every rule is testable by example.
"""
