"""The registry of corpora: where each lies, what it holds, under which licence, and its loader."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import loaders
from .annotations import ANNOTATED_SOURCES, load_project_annotations
from .reading import RawRow, SourceReport

Loader = Callable[[Path, SourceReport], Iterator[RawRow]]


@dataclass(frozen=True)
class Source:
    """One corpus in the data directory.

    ``commercial`` is True only where the stated licence allows commercial use; an unstated
    or unverified licence counts as not allowed. ``official_test`` marks sources whose authors
    fixed a test split: their other rows are only split into train and validation.
    ``primary_lang`` is used for rows whose language cannot be detected. ``reads`` names
    the folders a source takes its texts from when they are not its own (an empty
    ``folder`` means the data directory itself). ``in_repository`` marks a corpus committed
    with the project under ``data/raw/`` (written for it, or redistributable): its folder is
    found there, not in the data directory. ``labelled_by_account`` marks a source whose
    labels were given to every text by the account that posted it, not judged text by text:
    the cross-lingual protocol also reports each fold without its rows.
    """

    name: str
    folder: str
    languages: tuple[str, ...]
    licence: str
    commercial: bool
    citation: str
    loader: Loader
    labelled: bool = True
    official_test: bool = False
    declared_lang: bool = True
    reads: tuple[str, ...] = ()
    in_repository: bool = False
    labelled_by_account: bool = False

    @property
    def input_folders(self) -> tuple[str, ...]:
        """Folders whose files the source reads (its cache key)."""
        return self.reads or (self.folder,)

    @property
    def primary_lang(self) -> str:
        return self.languages[0]


def referenced_rows(data_dir: Path, sources: set[str], report: SourceReport) -> dict[tuple[str, str], RawRow]:
    """The rows of the given sources by (source, row id), read with their own loaders."""
    rows = {}
    for name in sorted(sources):
        source = get_source(name)
        folder = data_dir / source.folder
        if not folder.is_dir():
            report.skip(f"referenced source folder {source.folder} missing", name)
            continue
        for row in source.loader(folder, SourceReport(name)):
            rows[(name, row.id)] = row
    return rows


def _load_project_annotations(data_dir: Path, report: SourceReport) -> Iterator[RawRow]:
    return load_project_annotations(data_dir, report, referenced_rows)


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            "mlma", "mlma", ("ar", "en", "fr"), "MIT", True,
            "Ousidhoum et al. Multilingual and Multi-Aspect Hate Speech Analysis. EMNLP-IJCNLP 2019.",
            loaders.load_mlma,
        ),
        Source(
            "davidson_hsol", "davidson_hsol", ("en",), "MIT", True,
            "Davidson et al. Automated Hate Speech Detection and the Problem of Offensive Language. ICWSM 2017.",
            loaders.load_davidson_hsol,
        ),
        Source(
            "germeval2018", "germeval2018", ("de",), "CC BY 4.0", True,
            "Wiegand, Siegel, Ruppenhofer. Overview of the GermEval 2018 Shared Task on the "
            "Identification of Offensive Language. KONVENS 2018.",
            loaders.load_germeval2018, official_test=True,
        ),
        Source(
            "stormfront", "stormfront", ("en",), "CC BY-SA 3.0 ES", True,
            "de Gibert et al. Hate Speech Dataset from a White Supremacy Forum. ALW2 2018.",
            loaders.load_stormfront, official_test=True,
        ),
        Source(
            "ethos", "ethos", ("en",), "GPL-3.0", True,
            "Mollas et al. ETHOS: a multi-label hate speech detection dataset. Complex & Intelligent Systems 2022.",
            loaders.load_ethos,
        ),
        Source(
            "isis_fanboy", "isis_fanboy", ("en", "ar", "fr"), "CC0 (stated for the original; mirror unverified)", False,
            "Fifth Tribe. How ISIS Uses Twitter. Kaggle 2016.",
            loaders.load_isis_fanboy, declared_lang=False, labelled_by_account=True,
        ),
        Source(
            "germeval_harmful_de", "germeval_harmful_de", ("de",), "GPL-3.0", True,
            "GermEval 2025/2026 Shared Task on Harmful Content Detection in Social Media "
            "(Communication Forensics Lab, Hochschule Mittweida).",
            loaders.load_germeval_harmful_de,
        ),
        Source(
            "gab_hate_corpus", "gab_hate_corpus", ("en",), "not stated (OSF: CC BY 4.0, unverified)", False,
            "Kennedy et al. Introducing the Gab Hate Corpus. Language Resources and Evaluation 56, 2022.",
            loaders.load_gab_hate_corpus, official_test=True,
        ),
        Source(
            "osact5_ar_violence", "osact5_ar_violence", ("ar",), "not stated, research use", False,
            "Mubarak, Al-Khalifa, Al-Thubaity. Overview of OSACT5 Shared Task on Arabic Offensive "
            "Language and Hate Speech Detection. OSACT5 @ LREC 2022.",
            loaders.load_osact5_ar_violence,
        ),
        Source(
            "ru_sensitive_topics", "ru_sensitive_topics", ("ru",), "CC BY-NC-SA 4.0", False,
            "Babakov et al. Detecting Inappropriate Messages on Sensitive Topics that Could Harm a "
            "Company's Reputation. BSNLP @ EACL 2021.",
            loaders.load_ru_sensitive_topics,
        ),
        Source(
            "offenseval2020_tr", "offenseval2020_tr", ("tr",), "not stated (cc-by-2.0 per a card, unverified)", False,
            "Coltekin. A Corpus of Turkish Offensive Language on Social Media. LREC 2020.",
            loaders.load_offenseval2020_tr, official_test=True,
        ),
        Source(
            "roman_urdu_ruhsold", "roman_urdu_ruhsold", ("ur",), "MIT", True,
            "Rizwan, Shakeel, Karim. Hate-speech and offensive language detection in Roman Urdu. EMNLP 2020.",
            loaders.load_roman_urdu_ruhsold, official_test=True,
        ),
        Source(
            "saudinewsnet_ar_news", "saudinewsnet_ar_news", ("ar",), "CC BY-NC-SA 4.0, research only", False,
            "Alhagri. Saudi Newspapers Arabic Corpus (SaudiNewsNet). 2015.",
            loaders.load_saudinewsnet_ar_news,
        ),
        Source(
            "masakhanews_en_fr", "masakhanews_en_fr", ("en", "fr"), "not stated (afl-3.0 per a card, unverified)", False,
            "Adelani et al. MasakhaNEWS: News Topic Classification for African languages. IJCNLP-AACL 2023.",
            loaders.load_masakhanews_en_fr,
        ),
        Source(
            "farright_telegram_sample", "farright_telegram_sample", ("en",), "CC BY-SA 4.0", True,
            "Nazar et al. The Far-Right Telegram Ecosystem Dataset. Zenodo 2026. doi:10.5281/zenodo.18633027",
            loaders.load_farright_telegram_sample, labelled=False, declared_lang=False,
        ),
        Source(
            "project_written", "project_written", loaders.PROJECT_WRITTEN_LANGUAGES,
            "CC BY 4.0 (written for the project)", True,
            "extremism_nlp project: training examples written for the project, data/raw/project_written/SOURCE.txt.",
            loaders.load_project_written, in_repository=True,
        ),
        Source(
            "cold_zh", "cold_zh", ("zh",), "Apache-2.0", True,
            "Deng et al. COLD: A Benchmark for Chinese Offensive Language Detection. EMNLP 2022.",
            loaders.load_cold_zh, official_test=True, in_repository=True,
        ),
        Source(
            "told_br", "told_br", ("pt",), "CC BY-SA 4.0", True,
            "Leite et al. Toxic Language Detection in Social Media for Brazilian Portuguese: New "
            "Dataset and Multilingual Analysis. AACL-IJCNLP 2020.",
            loaders.load_told_br, in_repository=True,
        ),
        Source(
            "gahd_de", "gahd_de", ("de",), "CC BY 4.0", True,
            "Goldzycher, Röttger, Schneider. Improving Adversarial Data Collection by Supporting "
            "Annotators: Lessons from GAHD, a German Hate Speech Dataset. NAACL 2024.",
            loaders.load_gahd_de, official_test=True, in_repository=True,
        ),
        Source(
            "mpold_ar", "mpold_ar", ("ar",), "Apache-2.0", True,
            "Chowdhury et al. A Multi-Platform Arabic News Comment Dataset for Offensive Language "
            "Detection. LREC 2020.",
            loaders.load_mpold_ar, in_repository=True,
        ),
        Source(
            "pejorativity_it", "pejorativity_it", ("it",), "CC BY (version not stated)", True,
            "Muti et al. PejorativITy: Disambiguating Pejorative Epithets to Improve Misogyny Detection in "
            "Italian Tweets. LREC-COLING 2024.",
            loaders.load_pejorativity_it, in_repository=True,
        ),
        Source(
            "ud_plain", "ud_plain", loaders.UD_PLAIN_LANGUAGES, "CC BY-SA 3.0 and 4.0", True,
            "Zeman et al. CoNLL 2017 Shared Task: Multilingual Parsing from Raw Text to Universal "
            "Dependencies (the PUD treebanks); Bouma and van Noord, UD Dutch Alpino. Universal Dependencies.",
            loaders.load_ud_plain, in_repository=True,
        ),
        Source(
            "tatoeba_plain", "tatoeba_plain", loaders.TATOEBA_PLAIN_LANGUAGES, "CC BY 2.0 FR", True,
            "Tatoeba (tatoeba.org), sentences by its contributors, as selected for the Tatoeba test set of "
            "Artetxe and Schwenk, Massively Multilingual Sentence Embeddings for Zero-Shot Cross-Lingual "
            "Transfer and Beyond. TACL 2019.",
            loaders.load_tatoeba_plain, in_repository=True,
        ),
        Source(
            "project_annotations", "", ("ar", "en", "fr"),
            "CC BY 4.0 (the annotations); each text stays under its own source's licence", False,
            "extremism_nlp project annotations, data/annotation/REPORT.md.",
            _load_project_annotations, official_test=True,
            reads=ANNOTATED_SOURCES,  # each of those sources' folder bears its name
        ),
    )
}  # fmt: skip

LABELLED_SOURCES = tuple(name for name, source in SOURCES.items() if source.labelled)


def get_source(name: str) -> Source:
    """The registered source called ``name``; the error lists the valid names."""
    try:
        return SOURCES[name]
    except KeyError:
        raise ValueError(f"unknown source {name!r}; registered sources: {', '.join(SOURCES)}") from None
