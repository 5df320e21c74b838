"""A crawl on many machines: scrapy-redis's shared queue and duplicate filter, and what they lack."""
