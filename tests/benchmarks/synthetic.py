"""A deterministic synthetic reading list: N papers as a scraped Hugging Face text listing.

The papers have the shape of real ones: a title of about 85 characters naming the paper's model
and what it does (no two of them near-duplicates, up to TITLE_COMBINATIONS papers), an abstract
of about 200 words built from sentences that the rules in content/themes.yaml recognise (so that
import gives most papers one of the four themes and one to four tags), LaTeX in about a quarter
of the abstracts, code links in about a third, author counts or an organisation, and publication
dates spread over 2019-2025. Paper `i` depends on `i` alone, so a smaller list is a prefix of a
larger one.
"""

from __future__ import annotations

import datetime as dt
import random

SCRAPED_ON = dt.date(2026, 1, 5)
HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\n{page_date}\n\n"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SYLLABLES = (
    "ka", "lo", "mi", "ra", "ne", "su", "to", "vi", "de", "po", "ze", "ba", "gu", "fa", "xi",
    "yo", "qua", "ri", "sha", "mo",
)  # fmt: skip
_ORGS = (
    "HuggingFaceFW FineData",
    "facebook AI at Meta",
    "google Google",
    "cisnlp CIS LMU Munich",
    "Idiap Idiap Research Institute",
    " Masakhane",
)

# Per theme: what titles are about (_SUBJECTS_PER_THEME of them) and abstract sentences, which
# the theme's rules recognise.
_THEMES = {
    "speech": (
        (
            "Multilingual Speech Recognition",
            "Self-Supervised Speech Representations",
            "Text-to-Speech Synthesis",
            "Speech Translation",
            "Spoken Language Understanding",
            "Phoneme Recognition",
            "Whisper Fine-Tuning",
            "Speaker Verification",
        ),
        (
            "Automatic speech recognition (ASR) has advanced for high-resource languages, but most "
            "of the world's languages remain unsupported.",
            "We pretrain a wav2vec-style encoder on {n} hours of untranscribed audio.",
            "Our model reduces the word error rate by {p}% relative to Whisper on FLEURS.",
            "Speech synthesis quality is rated by native speakers in a listening test.",
            "We study speech translation from spoken language into English text.",
            "Phoneme recognition transfers across languages better than grapheme targets.",
        ),
    ),
    "vision-language": (
        (
            "Multilingual CLIP",
            "Visual Question Answering",
            "Vision-Language Models",
            "Image Captioning",
            "Text-to-Image Generation",
            "Document OCR",
            "Cross-Modal Retrieval",
            "Multimodal Chat Assistants",
        ),
        (
            "Vision-language models are mostly trained on English image-text pairs.",
            "We translate image captions into {n} languages and train a multilingual CLIP model.",
            "Our model improves visual question answering accuracy by {p} points.",
            "Images paired with text in many scripts make cross-modal retrieval harder.",
            "We evaluate captioning on XM3600 and MS-COCO in every language.",
            "A vision transformer encodes each image into patch embeddings.",
        ),
    ),
    "pretraining-data": (
        (
            "Web-Crawled Corpora",
            "Common Crawl Filtering",
            "Multilingual Pretraining",
            "Language Sampling for Pretraining",
            "Data Deduplication",
            "Pretraining Data Curation",
            "Tokenizer Training Data",
            "Parallel Corpus Mining",
        ),
        (
            "Multilingual pretraining depends on the corpus a model learns from.",
            "We build a corpus of {n} billion tokens from Common Crawl with a filtering pipeline.",
            "Deduplication and quality filtering remove {p}% of the documents.",
            "We pretrain models from scratch with different language sampling rates.",
            "The curse of multilinguality appears when data sizes are unbalanced.",
            "We train a {n}M parameters model with a masked language model objective.",
        ),
    ),
    "adaptation": (
        (
            "Language Adaptation of Pretrained Models",
            "Vocabulary Extension",
            "Embedding Initialization",
            "Language Adapters",
            "Continued Pretraining",
            "Cross-Lingual Transfer",
            "LoRA Fine-Tuning",
            "Model Merging",
        ),
        (
            "Adapting existing pretrained language models to new languages is cheaper than "
            "pretraining.",
            "We study continued pretraining with vocabulary extension for {n} target languages.",
            "New embeddings are initialized from aligned subword embeddings.",
            "Language adapters with LoRA train {p}% of the parameters.",
            "Cross-lingual transfer improves after a second phase of pretraining.",
            "The fine-tuning strategy matters as much as the initialization.",
        ),
    ),
}
# Sentences that earn one tag each (and do not change the theme much).
_TAG_SENTENCES = (
    "We evaluate machine translation quality with BLEU and chrF on FLORES.",
    "Dense retrieval with sentence embeddings works across languages.",
    "The tokenizer splits rare words into many subword pieces.",
    "We release a new multilingual dataset with {n} thousand examples.",
    "We introduce a benchmark that covers {n} tasks.",
    "We analyze the results with probing classifiers in a controlled comparison.",
    "Large language models such as Llama and Qwen are compared with smaller ones.",
    "Encoders such as XLM-R and mBERT serve as baselines.",
    "Low-resource languages gain the most from the method.",
    "Results on Swahili, Yoruba and Hausa show gains for African languages.",
    "Code-switching between two languages is common in the data.",
    "Instruction tuning with multilingual data improves the model.",
)
# Sentences no rule looks for, to bring abstracts to their length.
_FILLER = (
    "Experiments on several tasks show consistent gains over strong baselines.",
    "The results hold across model sizes and random seeds.",
    "We discuss limitations and directions for future work.",
    "Our analysis shows where the remaining errors come from.",
    "This setting has received little attention in prior work.",
    "We compare against {n} published systems under the same budget.",
    "Ablations confirm that each component contributes to the final result.",
    "The approach is simple to implement and cheap to run.",
    "Performance improves steadily as more examples are added.",
    "Human judges prefer our outputs in {p}% of the cases.",
    "Further gains come from combining both ideas.",
    "We hope these findings guide the design of future systems.",
)
_LATEX = (
    "Our best model, \\textsc{{{name}}}, is {p}$\\times$ faster than the baseline.",
    "Accuracy rises by {p}\\% on average.",
    "The method works for both high-resource -- and low-resource -- settings.",
    "We set $k={n}$ in all experiments and report the mean of three runs.",
)


# Titles put a subject (by theme) with one of each of these, and a language, in one of five
# orders around the paper's name. Within each list the phrases differ by more than a letter or
# two, so that titles are not near-duplicates of each other (`check` reports those).
_LEADS = (
    "Scaling", "Rethinking", "Improving", "Revisiting", "Understanding", "Benchmarking",
    "Simplifying", "Accelerating", "Evaluating", "Stabilizing", "Auditing", "Compressing",
    "Democratizing", "Grounding", "Probing", "Steering", "Calibrating", "Localizing", "Debiasing",
    "Reproducing",
)  # fmt: skip
_QUALIFIERS = (
    "at Scale", "with Synthetic Data", "via Contrastive Learning", "by Curriculum", "on a Budget",
    "without Parallel Data", "from Web Text", "with Human Feedback", "on Consumer GPUs",
    "with Experts", "by Distillation", "with Retrieval", "in the Wild", "beyond English",
    "for Small Communities", "with Alignment", "in Low-Resource Settings", "at Test Time",
    "with Reinforcement Learning", "from First Principles",
)  # fmt: skip
_DOMAINS = (
    "in Health Care", "for Law", "on Social Media", "for Source Code", "in the News",
    "for Science", "in Education", "for Support Chats", "in Finance", "on the Radio",
    "in Parliament", "for Scripture", "on Phones", "for Kids' Books", "in Forums",
    "for Government", "in Clinics", "for Lyrics", "in Patents", "for Oral History",
)  # fmt: skip
_LANGUAGES = (
    "Swahili", "Yoruba", "Catalan", "Galician", "Hindi", "Bengali", "Tamil", "Urdu", "Indonesian",
    "Vietnamese", "Tagalog", "Quechua", "Guarani", "Basque", "Welsh", "Icelandic", "Maltese",
    "Kazakh", "Uzbek", "Mongolian", "Khmer", "Lao", "Burmese", "Nepali", "Sinhala", "Pashto",
    "Kurdish", "Estonian", "Latvian", "Georgian", "Armenian", "Fijian",
)  # fmt: skip
_SUBJECTS_PER_THEME = 8
# Every paper up to this many gets its own subject, lead, qualifier and domain.
TITLE_COMBINATIONS = _SUBJECTS_PER_THEME * len(_LEADS) * len(_QUALIFIERS) * len(_DOMAINS)
# Coprime with TITLE_COMBINATIONS: consecutive papers differ in every part, not only the first.
_SPREAD = 48271


def _title(index: int, subjects: tuple[str, ...], name: str, form: int) -> str:
    """Return paper `index`'s title: its name and the combination of parts that is its own.

    Two papers' combinations differ in at least one part, and the language (a sum of the parts'
    positions) then differs too: so two titles differ in at least two places."""
    rest = index * _SPREAD % TITLE_COMBINATIONS
    rest, subject = divmod(rest, _SUBJECTS_PER_THEME)
    rest, lead = divmod(rest, len(_LEADS))
    domain, qualifier = divmod(rest, len(_QUALIFIERS))
    language = _LANGUAGES[(subject + lead + qualifier + domain) % len(_LANGUAGES)]
    about = subjects[subject]
    lead_, qualifier_, domain_ = _LEADS[lead], _QUALIFIERS[qualifier], _DOMAINS[domain]
    return (
        f"{name}: {lead_} {about} for {language} {domain_} {qualifier_}",
        f"{lead_} {about} {qualifier_}: {name} for {language} {domain_}",
        f"{lead_} {language} {about} {domain_} {qualifier_} with {name}",
        f"{name}: {lead_} {about} {domain_}, {qualifier_}, in {language}",
        f"{lead_} {about} for {language} {domain_} {qualifier_}: Lessons from {name}",
    )[form]


def _name(index: int) -> str:
    """Return a model name unique to `index`: its digits in base 20, as syllables."""
    syllables = []
    value = index + 20 * 20  # at least three syllables
    while value:
        value, digit = divmod(value, len(_SYLLABLES))
        syllables.append(_SYLLABLES[digit])
    return "".join(syllables).capitalize()


def _begin(index: int) -> tuple[random.Random, str, str | None, str]:
    """Return paper `index`'s random numbers, name, theme (or None) and title."""
    rng = random.Random(index * 7919 + 17)
    name = _name(index)
    # One paper in twelve has no theme's words: a curator decides its theme.
    theme = None if rng.random() < 1 / 12 else rng.choice(sorted(_THEMES))
    subjects, _ = _THEMES[theme or rng.choice(sorted(_THEMES))]
    return rng, name, theme, _title(index, subjects, name, rng.randrange(5))


def synthetic_title(index: int) -> str:
    """Return paper `index`'s title (as `synthetic_entry` does, without making the rest)."""
    return _begin(index)[3]


def synthetic_entry(index: int) -> dict:
    """Return paper `index` as a listing entry: title, abstract, credit line and date line."""
    rng, name, theme, title = _begin(index)

    def fill(sentence: str) -> str:
        return sentence.format(n=rng.randint(2, 500), p=rng.randint(2, 60), name=name)

    chosen = [fill(s) for s in rng.sample(_THEMES[theme][1], 2)] if theme else []
    chosen += [fill(s) for s in rng.sample(_TAG_SENTENCES, rng.randint(0, 1))]
    if rng.random() < 0.25:
        chosen.append(fill(rng.choice(_LATEX)))
    while sum(len(s.split()) for s in chosen) < rng.randint(180, 230):
        chosen.append(fill(rng.choice(_FILLER)))
    rng.shuffle(chosen)
    if rng.random() < 0.35:
        chosen.append(f"Code is available at https://github.com/lab{index % 97}/{name.lower()}.")
    published = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(7 * 365))
    credit = rng.choice(_ORGS) if rng.random() < 0.2 else f"  • {rng.randint(1, 40)} authors"
    date = f"{_MONTHS[published.month - 1]} {published.day}, {published.year}"
    if rng.random() < 0.5:
        date += f" {rng.randint(1, 30)}"
    return {"title": title, "abstract": " ".join(chosen), "credit": credit, "date": date}


def synthetic_listing(count: int, first: int = 0) -> str:
    """Return `count` papers, from paper `first` on, as the plain-text copy of a Hugging Face
    papers page."""
    page_date = f"{_MONTHS[SCRAPED_ON.month - 1]} {SCRAPED_ON.day}"
    blocks = []
    for index in range(first, first + count):
        entry = synthetic_entry(index)
        blocks.append(
            f"{entry['title']}\n\n{entry['abstract']}\n\n{entry['credit']}\n·\n{entry['date']}\n"
        )
    return HEADER.format(page_date=page_date) + "\n".join(blocks)
