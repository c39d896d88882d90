from __future__ import annotations

from casedesk.core import campaigns

TEMPLATE = (
    "I am writing to ask you to support a ban on the import of hunting trophies into the UK. "
    "Thousands of animals from endangered and threatened species are killed for trophies every "
    "year and the UK still allows their body parts to be brought home. Please support the bill "
    "and vote for a full ban without loopholes. Thank you for taking the time to consider this."
)


def letter(name: str, body: str = TEMPLATE) -> str:
    return f"Dear Alex Morgan,\n\n{body}\n\nYours sincerely,\n{name}\n1 High St, CB1 2AD\n"


def sim(a: str, b: str) -> float:
    return campaigns.similarity(campaigns.signature(a), campaigns.signature(b))


def test_copy_with_different_name_is_near_identical() -> None:
    assert sim(letter("Ann Lee"), letter("Bob Ray")) > 0.9


def test_campaign_copy_with_personal_sentence_joins_cluster() -> None:
    edited = letter(
        "Bob Ray", TEMPLATE + " My grandchildren love elephants and I want them to see them."
    )
    assert sim(letter("Ann Lee"), edited) >= 0.6


def test_reordered_paragraphs_still_match() -> None:
    sentences = TEMPLATE.split(". ")
    reordered = ". ".join(sentences[::-1])
    assert sim(letter("Ann Lee"), letter("Bob Ray", reordered)) >= 0.6


def test_independent_letters_on_same_topic_do_not_match() -> None:
    own = (
        "I saw a documentary about lions last week and it made me think about trophy hunting. "
        "I would like to know what the MP thinks and whether the government will act on imports."
    )
    assert sim(letter("Ann Lee"), letter("Cat Moss", own)) < 0.2


def test_index_groups_copies_and_keeps_others_apart() -> None:
    index = campaigns.CampaignIndex()
    ids = [
        index.add(f"m{i}", f"s{i}", campaigns.signature(letter(f"Person {i}"))).cluster_id
        for i in range(5)
    ]
    other = index.add(
        "x", "sx", campaigns.signature("My bins have not been collected for three weeks.")
    )
    assert len(set(ids)) == 1
    assert other.cluster_id != ids[0] and other.is_new_cluster
    assert index.clusters[ids[0]].senders == {f"s{i}" for i in range(5)}


def test_restored_index_matches_new_copies_to_old_clusters() -> None:
    first = campaigns.CampaignIndex()
    sig = campaigns.signature(letter("Ann Lee"))
    cluster = first.add("m0", "s0", sig).cluster_id
    restored = campaigns.CampaignIndex()
    restored.restore(cluster, "m0", "s0", sig)
    joined = restored.add("m1", "s1", campaigns.signature(letter("Bob Ray")))
    assert joined.cluster_id == cluster and joined.size == 2
    assert (
        restored.add("m2", "s2", campaigns.signature("unrelated text about buses")).cluster_id
        != cluster
    )


def test_signature_is_stable_across_processes() -> None:
    # Stored signatures must mean the same thing tomorrow: no per-process hash seeds.
    assert (
        campaigns.signature("the same words in the same order")[:4].tolist()
        == campaigns.signature("the same words in the same order")[:4].tolist()
    )
    assert campaigns.shingles("one two three") == {__import__("zlib").crc32(b"one two three")}
