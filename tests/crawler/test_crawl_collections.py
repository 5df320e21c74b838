"""The crawl runs the cycle collector less often, and leaves it as it found it."""

import gc

import pytest

from crawler.run import CRAWL_GC_THRESHOLDS, _fewer_collections


def test_collector_settings_hold_during_the_crawl_only():
    before = gc.get_threshold()
    with _fewer_collections():
        assert gc.get_threshold() == (*CRAWL_GC_THRESHOLDS, *before[2:])
        assert gc.get_freeze_count() > 0  # what existed at the start is out of the collections
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_collector_settings_are_restored_when_the_crawl_fails():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), _fewer_collections():
        raise RuntimeError("reactor stopped")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
