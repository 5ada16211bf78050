"""The shipped seed: the text copy of a Hugging Face search listing, read exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from papershelf.errors import Location
from papershelf.model import Authors, Organization
from papershelf.sources import read_scrape

SEED = "content/sources/hf-daily-papers-multilingual.txt"

# Copied from the seed, not from the parser: title line, authors count or (handle, name), date,
# comment count.
SEED_ENTRIES = [
    (
        13,
        "Omnilingual ASR: Open-Source Multilingual Speech Recognition for 1600+ Languages",
        33,
        "2025-11-12",
        None,
    ),
    (
        21,
        "Multilingual Vision-Language Pre-training for the Remote Sensing Domain",
        4,
        "2024-10-30",
        None,
    ),
    (
        29,
        (
            "Bridging Cross-Lingual Gaps During Leveraging the Multilingual "
            "Sequence-to-Sequence Pretraining for Text Generation and Understanding"
        ),
        6,
        "2022-04-16",
        None,
    ),
    (
        37,
        (
            "Adapting Multilingual Speech Representation Model for a New, "
            "Underresourced Language through Multilingual Fine-tuning and Continued"
            " Pretraining"
        ),
        4,
        "2023-01-17",
        None,
    ),
    (
        45,
        (
            "Whistle: Data-Efficient Multilingual and Crosslingual Speech "
            "Recognition via Weakly Phonetic Supervision"
        ),
        5,
        "2024-06-04",
        None,
    ),
    (53, "Predictions For Pre-training Language Models", 1, "2020-11-17", None),
    (
        61,
        (
            "FineWeb2: One Pipeline to Scale Them All -- Adapting Pre-Training Data"
            " Processing to Every Language"
        ),
        ("HuggingFaceFW", "FineData"),
        "2025-06-25",
        1,
    ),
    (69, "LangSAMP: Language-Script Aware Multilingual Pretraining", 5, "2024-09-26", None),
    (
        77,
        (
            "OFA: A Framework of Initializing Unseen Subword Embeddings for "
            "Efficient Large-scale Multilingual Continued Pretraining"
        ),
        4,
        "2023-11-15",
        4,
    ),
    (85, "MonoByte: A Pool of Monolingual Byte-level Language Models", 4, "2022-09-22", 1),
    (93, "A General-Purpose Multilingual Document Encoder", 3, "2023-05-11", None),
    (
        101,
        "Multilingual Translation with Extensible Multilingual Pretraining and Finetuning",
        8,
        "2020-08-02",
        None,
    ),
    (
        109,
        "A Little Help Goes a Long Way: Efficient LLM Training by Leveraging Small LMs",
        15,
        "2024-10-24",
        None,
    ),
    (
        117,
        (
            "Pre-training Data Quality and Quantity for a Low-Resource Language: "
            "New Corpus and BERT Models for Maltese"
        ),
        5,
        "2022-05-21",
        None,
    ),
    (
        125,
        (
            "ColBERT-XM: A Modular Multi-Vector Representation Model for Zero-Shot "
            "Multilingual Information Retrieval"
        ),
        4,
        "2024-02-22",
        None,
    ),
    (
        133,
        "FILTER: An Enhanced Fusion Method for Cross-lingual Language Understanding",
        5,
        "2020-09-10",
        None,
    ),
    (
        141,
        (
            "Unsupervised Context Aware Sentence Representation Pretraining for "
            "Multi-lingual Dense Retrieval"
        ),
        7,
        "2022-06-07",
        None,
    ),
    (149, "Vega-MT: The JD Explore Academy Translation System for WMT22", 12, "2022-09-19", None),
    (
        157,
        "Centurio: On Drivers of Multilingual Ability of Large Vision-Language Model",
        7,
        "2025-01-09",
        3,
    ),
    (165, "UL2: Unifying Language Learning Paradigms", 14, "2022-05-10", None),
    (
        173,
        (
            "An Empirical Comparison of Vocabulary Expansion and Initialization "
            "Approaches for Language Models"
        ),
        6,
        "2024-07-08",
        None,
    ),
    (
        181,
        (
            "uCLIP: Parameter-Efficient Multilingual Extension of Vision-Language "
            "Models with Unpaired Data"
        ),
        6,
        "2025-11-17",
        None,
    ),
    (
        189,
        "Massively Multilingual Lexical Specialization of Multilingual Transformers",
        3,
        "2022-08-01",
        None,
    ),
    (
        197,
        "The unreasonable effectiveness of few-shot learning for machine translation",
        8,
        "2023-02-02",
        None,
    ),
    (
        205,
        (
            "When Is Multilinguality a Curse? Language Modeling for 250 High- and "
            "Low-Resource Languages"
        ),
        4,
        "2023-11-15",
        None,
    ),
    (
        213,
        (
            "AfroLM: A Self-Active Learning-based Multilingual Pretrained Language "
            "Model for 23 African Languages"
        ),
        8,
        "2022-11-06",
        None,
    ),
    (
        221,
        "Continually Adding New Languages to Multilingual Language Models",
        2,
        "2025-09-14",
        None,
    ),
    (229, "Yi: Open Foundation Models by 01.AI", 31, "2024-03-07", 3),
    (
        237,
        (
            "HPLT 3.0: Very Large-Scale Multilingual Resources for LLM and MT. "
            "Mono- and Bi-lingual Data, Multilingual Evaluation, and Pre-Trained "
            "Models"
        ),
        32,
        "2025-11-02",
        None,
    ),
    (245, "Crosslingual Generalization through Multitask Finetuning", 19, "2022-11-03", None),
    (253, "Multilingual Large Language Models: A Systematic Survey", 10, "2024-11-17", None),
]

SEED_LINKS = {
    "Omnilingual ASR": ["https://github.com/facebookresearch/omnilingual-asr"],
    "Bridging Cross-Lingual Gaps": ["https://github.com/zanchangtong/CSR4mBART"],
    "Whistle": ["https://github.com/thu-spmi/CAT/tree/master/egs/cv-lang10"],
    "LangSAMP": ["https://github.com/cisnlp/LangSAMP"],
    # This abstract ends "...-encoders ." with a space before the full stop.
    "A General-Purpose Multilingual": [
        "https://github.com/ogaloglu/pre-training-multilingual-document-encoders"
    ],
    "AfroLM": ["https://github.com/bonaventuredossou/MLM_AL"],
    "Crosslingual Generalization": ["https://github.com/bigscience-workshop/xmtf"],
    "Multilingual Large Language Models: A Systematic": [
        "https://github.com/tjunlp-lab/Awesome-Multilingual-LLMs-Papers"
    ],
}


@pytest.fixture
def seed(repo_root: Path):
    scrape, problems = read_scrape(repo_root / SEED, "sources/seed.txt")
    # The page date 'Jan 5' has no year: 2026 is the year after the newest written out.
    assert [p.format_text() for p in problems] == [
        "sources/seed.txt:11:1: warning: dates without a year are taken to be in 2026, the year "
        "after the newest one the listing writes out\n"
        "  hint: pass --scraped-on YYYY-MM-DD, the day the page was saved, to be sure"
    ]
    return scrape


def test_seed_has_every_paper_with_its_credit_date_and_comments(seed, repo_root):
    raw_lines = (repo_root / SEED).read_text(encoding="utf-8").split("\n")
    assert len(seed.entries) == 31
    for entry, (line, title, credit, published, comments) in zip(
        seed.entries, SEED_ENTRIES, strict=True
    ):
        assert entry.title == title
        assert entry.location == Location("sources/seed.txt", line, 1)
        # The seed puts each abstract, on one line, two lines below its title.
        assert entry.abstract == raw_lines[line + 1]
        if isinstance(credit, int):
            assert (entry.authors, entry.organization) == (Authors(count=credit), None)
        else:
            assert (entry.authors, entry.organization) == (None, Organization(credit[1], credit[0]))
        assert entry.published == dt.date.fromisoformat(published)
        assert entry.comments == comments
        assert (entry.upvotes, entry.arxiv) == (None, None)


def test_seed_links_are_the_abstracts_urls_without_trailing_punctuation(seed):
    found = {e.title: [link.url for link in e.links] for e in seed.entries if e.links}
    expected = {
        next(t for t in found if t.startswith(prefix)): urls for prefix, urls in SEED_LINKS.items()
    }
    assert found == expected
    assert {link.kind for e in seed.entries for link in e.links} == {"code"}


def test_seed_fineweb2_reads_exactly(seed):
    fineweb2 = seed.entries[6]
    assert fineweb2.title == (
        "FineWeb2: One Pipeline to Scale Them All -- Adapting Pre-Training Data Processing to "
        "Every Language"
    )
    assert fineweb2.organization == Organization(name="FineData", handle="HuggingFaceFW")
    assert fineweb2.authors is None
    assert fineweb2.published == dt.date(2025, 6, 25)
    assert fineweb2.comments == 1
    assert fineweb2.links == ()
    assert fineweb2.abstract == (
        "Pre-training state-of-the-art large language models (LLMs) requires vast amounts of "
        "clean and diverse text data. While the open development of large high-quality "
        "English pre-training datasets has seen substantial recent progress, training "
        "performant multilingual LLMs remains a challenge, in large part due to the inherent "
        "difficulty of tailoring filtering and deduplication pipelines to a large number of "
        "languages. In this work, we introduce a new pre-training dataset curation pipeline "
        "based on FineWeb that can be automatically adapted to support any language. We "
        "extensively ablate our pipeline design choices on a set of nine diverse languages, "
        "guided by a set of meaningful and informative evaluation tasks that were chosen "
        "through a novel selection process based on measurable criteria. Ultimately, we show "
        "that our pipeline can be used to create non-English corpora that produce more "
        "performant models than prior datasets. We additionally introduce a straightforward "
        "and principled approach to rebalance datasets that takes into consideration both "
        "duplication count and quality, providing an additional performance uplift. Finally, "
        "we scale our pipeline to over 1000 languages using almost 100 Common Crawl snapshots"
        " to produce FineWeb2, a new 20 terabyte (5 billion document) multilingual dataset "
        "which we release along with our pipeline, training, and evaluation codebases."
    )


def test_seed_ofa_keeps_its_latex(seed):
    ofa = seed.entries[8]
    assert ofa.title.startswith("OFA: A Framework of Initializing Unseen Subword Embeddings")
    assert (ofa.authors, ofa.published, ofa.comments) == (Authors(4), dt.date(2023, 11, 15), 4)
    assert ofa.abstract == (
        "Pretraining multilingual language models from scratch requires considerable "
        "computational resources and substantial training data. Therefore, a more efficient "
        "method is to adapt existing pretrained language models (PLMs) to new languages via "
        "vocabulary extension and continued pretraining. However, this method usually "
        "randomly initializes the embeddings of new subwords and introduces substantially "
        "more embedding parameters to the language model, thus weakening the efficiency. To "
        "address these issues, we propose a novel framework: One For All (\\textsc{Ofa}), "
        "which wisely initializes the embeddings of unseen subwords from target languages and"
        " thus can adapt a PLM to multiple languages efficiently and effectively. Ofa takes "
        "advantage of external well-aligned multilingual word embeddings and injects the "
        "alignment knowledge into the new embeddings. In addition, Ofa applies matrix "
        "factorization and replaces the cumbersome embeddings with two lower-dimensional "
        "matrices, which significantly reduces the number of parameters while not sacrificing"
        " the performance. Through extensive experiments, we show models initialized by Ofa "
        "are efficient and outperform several baselines. Ofa not only accelerates the "
        "convergence of continued pretraining, which is friendly to a limited computation "
        "budget, but also improves the zero-shot crosslingual transfer on a wide range of "
        "downstream tasks. We make our code and models publicly available."
    )


def test_seed_is_dated_by_its_page_date_in_the_inferred_year(seed):
    # "Jan 5" has no year; the newest year written out is 2025, so the page is from 2026.
    assert (seed.path, seed.format, seed.scraped_on) == (
        "sources/seed.txt",
        "hf-text",
        dt.date(2026, 1, 5),
    )


def test_seed_scraped_on_wins_over_the_page_date(repo_root):
    scrape, problems = read_scrape(
        repo_root / SEED, "seed.txt", scraped_on=dt.date(2026, 1, 7), format="hf-text"
    )
    assert problems == []
    assert scrape.scraped_on == dt.date(2026, 1, 7)
    assert scrape.entries[0].published == dt.date(2025, 11, 12)
