import itertools
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from archive.dataset.fingerprint import MAX_DISTANCE, hamming, near_duplicate_clusters, simhash

ARTICLE = ("新华社北京10月19日电 国务院总理主持召开国务院常务会议，部署推进城市更新行动的若干措施，"
           "讨论通过《关于进一步优化营商环境的意见》。会议指出，要坚持稳中求进工作总基调，完整准确全面"
           "贯彻新发展理念，加快构建新发展格局，着力推动高质量发展。会议强调，各地区各部门要压实责任，"
           "抓好政策落实，及时回应群众关切，确保各项措施落地见效。") * 2


def test_republished_copy_is_near_and_other_text_is_far():
    copy = "本网讯 " + ARTICLE.replace("，", ",") + "（责任编辑：王五）"
    other = "青川大学举行2026年秋季运动会，全校师生三千余人参加开幕式，校长致辞并宣布运动会开幕。" * 3
    assert hamming(simhash(ARTICLE), simhash(copy)) <= MAX_DISTANCE
    assert hamming(simhash(ARTICLE), simhash(other)) > 16


def test_fingerprint_is_stable_and_normalised():
    # stable across processes (no salted hash in it): rows of different runs must compare
    code = f"from archive.dataset.fingerprint import simhash; print(simhash({ARTICLE!r}))"
    other_runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")}
    assert other_runs == {str(simhash(ARTICLE))}
    assert simhash("ＡＢＣ１２３ 新闻") == simhash("abc123新闻")  # full-width, case, spaces
    assert simhash(None) is None and simhash("") is None and simhash("，。 \n") is None
    assert -(2**63) <= simhash(ARTICLE) < 2**63


def brute_force(values, distance):
    parent = list(range(len(values)))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in itertools.combinations(range(len(values)), 2):
        if hamming(int(values[i]), int(values[j])) <= distance:
            parent[root(i)] = root(j)
    return [root(i) for i in range(len(values))]


def same_partition(a, b):
    pairs = lambda labels: {(i, j) for i, j in itertools.combinations(range(len(labels)), 2)  # noqa: E731
                            if labels[i] == labels[j]}
    return pairs(list(a)) == pairs(list(b))


@pytest.mark.parametrize("distance", [0, 3, 6, 8])
def test_banding_finds_every_pair_brute_force_finds(distance):
    rng = np.random.default_rng(distance)
    base = rng.integers(-(2**63), 2**63 - 1, size=40, dtype=np.int64)
    near = []
    for value in base[:20]:
        bits = rng.choice(64, size=rng.integers(0, distance + 3), replace=False)
        flip = sum(1 << int(b) for b in bits)
        near.append(np.array([int(value) & 0xFFFFFFFFFFFFFFFF ^ flip], dtype=np.uint64).view(np.int64)[0])
    values = np.concatenate([base, np.array(near, dtype=np.int64), base[:5]])
    assert same_partition(near_duplicate_clusters(values, distance), brute_force(values, distance))


def test_clustering_scales_without_all_pairs():
    values = np.random.default_rng(7).integers(-(2**63), 2**63 - 1, size=200_000, dtype=np.int64)
    values[1] = values[0] ^ 0b101
    started = time.monotonic()
    labels = near_duplicate_clusters(values)
    assert time.monotonic() - started < 30
    assert labels[0] == labels[1]
    assert len(np.unique(labels)) == len(values) - 1
