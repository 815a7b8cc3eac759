"""Normalisation rules and the matching engine's outcomes."""

# ruff: noqa: RUF001 - names in Chinese, Japanese, Hindi, Russian and full-width Latin

from __future__ import annotations

from pathlib import Path

import pytest

from oretrace.registry.matching import (
    DEFAULT_THRESHOLDS,
    Candidate,
    Matcher,
    MatchResult,
    Thresholds,
    country_code,
    metal_code,
    normalise,
    normalise_identifier,
)
from oretrace.registry.matching.normalise import spelling
from oretrace.registry.reference_files import read_reference_file

# --- normalise: one test per rule ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # 1. NFKC: full-width Latin, circled company sign
        ("Ｔａｎｉｏｂｉｓ ＧｍｂＨ", "taniobis"),
        ("㈱タニオビス", normalise("タニオビス")),
        # 2. legal forms in their own script, wherever they stand
        ("云南锡业股份有限公司锡业分公司", "yun nan xi ye xi ye"),
        ("洛阳栾川钼业集团钨业有限公司", "luo yang luan chuan mu ye ji tuan wu ye"),
        ("タニオビス・ジャパン株式会社", "taniobisu jiyapan"),
        ("株式会社タニオビス", "taniobisu"),
        ("고려아연 주식회사", normalise("고려아연")),
        ("हिंदुस्तान जिंक प्राइवेट लिमिटेड", "himdustan jimk"),
        ("हिंदुस्तान जिंक लिमिटेड", "himdustan jimk"),
        # 3. case-fold
        ("STRASSE", normalise("Straße")),
        # 4. transliteration: accents, Cyrillic, simplified = traditional
        ("Mineração Taboca S.A.", "mineracao taboca"),
        ("Eti Bakır A.Ş", "eti bakir"),
        ("ООО Технолом", "tekhnolom"),
        ("雲南錫業", normalise("云南锡业")),
        # 5. punctuation: apostrophes, dotted and spaced initials, & and +
        ("Chizhou Xi’en New Material", "chizhou xien new material"),
        ("A.L.M.T. Corp.", "almt"),
        ("S C Alro S A", "sc alro"),
        ("Cendres + Métaux S.A.", "cendres metaux"),
        ("Gold & Silver Refinery", "gold silver refinery"),
        # 6. variants, abbreviations, plurals
        ("Kwangtung Wolfram Works", "guangdong tungsten work"),
        ("Amoy Tungsten", "xiamen tungsten"),
        ("Canton Metals", "guangzhou metal"),
        ("Peking Refining Intl", "beijing refining international"),
        ("Hong Kong Materials", "hongkong material"),
        # 7. legal forms in Latin script, multi-word and single, in many languages
        ("PT Aneka Tambang (Persero) Tbk", "aneka tambang"),
        ("Metalúrgica Met-Mex Peñoles S.A. De C.V.", "metalurgica met mex penoles"),
        ("Nadir Metal Rafineri San. Ve Tic. A.Ş.", "nadir metal rafineri"),
        ("KGHM Polska Miedź Spółka Akcyjna", "kghm polska miedz"),
        ("DARUKA MINCHEM PVT.LTD", "daruka minchem"),
        ("Joint Stock Company Kola Mining", "kola mining"),
        ("Alpha Metals GmbH & Co. KG", "alpha metal"),
        ("Beta B.V.", "beta"),
        ("Gamma N.V.", "gamma"),
        ("Delta SpA", "delta"),
        ("Epsilon S.A.S.", "epsilon"),
        ("Zeta LLC", "zeta"),
        ("Eta Pty Ltd", "eta"),
        ("Theta Sdn. Bhd.", "theta"),
        ("Công ty TNHH Iota", "iota"),
        # 8. connecting words
        ("Produits Artistiques de Métaux", "produits artistiques metaux"),
        ("The Refinery of Shandong Gold Mining", "refinery shandong gold mining"),
        # 9. never empty
        ("Limited", "limited"),
        ("Co., Ltd.", "co ltd"),
        ("", ""),
        ("  --- ", ""),
    ],
)
def test_normalise_rules(name, expected):
    assert normalise(name) == expected


def test_spelling_keeps_legal_forms():
    assert spelling("H.C. Starck Co., Ltd.") == "hc starck co ltd"
    assert spelling("H.C. Starck Ltd.") == "hc starck ltd"
    assert normalise("H.C. Starck Co., Ltd.") == normalise("H.C. Starck Ltd.") == "hc starck"


def test_normalise_is_idempotent_on_its_output():
    for name in ("Yunnan Tin Company Limited", "云南锡业股份有限公司", "A.L.M.T. Corp."):
        assert normalise(normalise(name)) == normalise(name)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CHINA", "CN"),
        ("China", "CN"),
        ("中国", "CN"),
        ("Korea, Republic of", "KR"),
        ("KOREA, REPUBLIC OF", "KR"),
        ("TAIWAN, PROVINCE OF CHINA", "TW"),
        ("CONGO, DEMOCRATIC REPUBLIC OF THE", "CD"),
        ("BOLIVIA (PLURINATIONAL STATE OF)", "BO"),
        ("UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND", "GB"),
        ("NORTH MACEDONIA, REPUBLIC OF", "MK"),
        ("TURKEY", "TR"),
        ("VIET NAM", "VN"),
        ("Russia", "RU"),
        ("United States", "US"),
        ("日本", "JP"),
        ("भारत", "IN"),
        ("DE", "DE"),
        ("deu", "DE"),
        ("Unknown", ""),
        ("", ""),
        ("Atlantis", ""),
    ],
)
def test_country_code(text, code):
    assert country_code(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Tin", "tin"),
        ("TUNGSTEN", "tungsten"),
        ("Aluminum", "aluminium"),
        ("Rare Earth Elements", "rare-earth-elements"),
        ("Soda Ash", "soda-ash"),
        ("Gold (Au)", "gold"),
        ("钴", "cobalt"),
        ("0", ""),
        ("Unobtainium", ""),
    ],
)
def test_metal_code(text, code):
    assert metal_code(text) == code


def test_metal_codes_are_the_reference_minerals():
    from oretrace.core.reference import MINERALS

    codes = {m.code for m in MINERALS}
    for mineral in MINERALS:
        assert metal_code(mineral.template_label) == mineral.code
        assert metal_code(mineral.name) == mineral.code
        assert metal_code(mineral.code) == mineral.code
    assert {metal_code(m.code) for m in MINERALS} == codes


def test_normalise_identifier():
    assert normalise_identifier(" cid 002763 ") == "CID002763"
    assert normalise_identifier("1jpn-072") == "1JPN072"


# --- the engine ---------------------------------------------------------------------------------

YUNNAN, GEJIU, MITSUBISHI, HINDUSTAN, RUASHI_1, RUASHI_2 = 1, 2, 3, 4, 5, 6
JM_US, JM_CA, TECHNOLOM_1, TECHNOLOM_2, GOLD_CN = 7, 8, 9, 10, 11

CANDIDATES = [
    Candidate(YUNNAN, "Yunnan Tin Company Limited", "tin", "CN", ("CID002180",)),
    Candidate(YUNNAN, "云南锡业股份有限公司锡业分公司", "tin", "CN"),
    Candidate(GEJIU, "Gejiu Non-Ferrous Metal Processing Co., Ltd.", "tin", "CN", ("CID000538",)),
    Candidate(MITSUBISHI, "Mitsubishi Materials Corporation", "tin", "JP", ("CID001191",)),
    Candidate(MITSUBISHI, "三菱マテリアル株式会社", "tin", "JP"),
    Candidate(HINDUSTAN, "Hindustan Zinc Limited", "zinc", "IN", ("CID009001",)),
    Candidate(HINDUSTAN, "हिंदुस्तान जिंक लिमिटेड", "zinc", "IN"),
    Candidate(RUASHI_1, "Ruashi Mining SAS", "copper", "CD", ("CID004212",)),
    Candidate(RUASHI_2, "Ruashi Mining SAS", "copper", "CD", ("CID005015",)),
    Candidate(JM_US, "Johnson Matthey Inc.", "gold", "US", ("CID000920",)),
    Candidate(JM_CA, "Johnson Matthey Limited", "gold", "CA", ("CID000924",)),
    Candidate(TECHNOLOM_1, "OOO “Technolom” 1", "gold", "RU", ("CID003487",)),
    Candidate(TECHNOLOM_2, "OOO “Technolom” 2", "gold", "RU", ("CID003488",)),
    Candidate(GOLD_CN, "Yunnan Copper Industry Co., Ltd.", "gold", "CN", ("CID000197",)),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(CANDIDATES)


def _top(result: MatchResult) -> int | None:
    return result.candidates[0].facility_id if result.candidates else None


def test_identifier_wins_over_the_name(matcher):
    result = matcher.match("Something else entirely", metal="tin", identifier="cid-002180")
    assert (result.outcome, _top(result)) == ("auto", YUNNAN)
    assert result.candidates[0].score == 100.0


def test_identifier_shared_by_two_facilities_needs_review():
    matcher = Matcher(
        [Candidate(1, "A", "tin", "CN", ("X1",)), Candidate(2, "B", "tin", "CN", ("X1",))]
    )
    result = matcher.match("A", metal="tin", identifier="X1")
    assert result.outcome == "review"
    assert {c.facility_id for c in result.candidates} == {1, 2}


def test_unknown_identifier_falls_back_to_the_name(matcher):
    result = matcher.match("Yunnan Tin Co., Ltd.", metal="tin", identifier="CID999999")
    assert (result.outcome, _top(result)) == ("auto", YUNNAN)


def test_exact_normalised_name_is_auto(matcher):
    result = matcher.match("YUNNAN TIN CO LTD", metal="Tin", country="China")
    assert result == MatchResult(
        "YUNNAN TIN CO LTD",
        "auto",
        (result.candidates[0],),
    )
    assert (result.candidates[0].score, result.candidates[0].matched_name) == (
        100.0,
        "Yunnan Tin Company Limited",
    )


def test_two_facilities_with_one_name_need_review(matcher):
    result = matcher.match("Ruashi Mining", metal="copper", country="CD")
    assert result.outcome == "review"
    assert {c.facility_id for c in result.candidates} == {RUASHI_1, RUASHI_2}


def test_country_tells_same_named_facilities_apart(matcher):
    # "Johnson Matthey Inc." and "Johnson Matthey Limited" normalise alike
    assert _top(matcher.match("Johnson Matthey", metal="gold", country="CA")) == JM_CA
    assert matcher.match("Johnson Matthey", metal="gold", country="CA").outcome == "auto"
    assert matcher.match("Johnson Matthey", metal="gold").outcome == "review"


def test_legal_form_tells_them_apart_when_written_out(matcher):
    result = matcher.match("Johnson Matthey Limited", metal="gold")
    assert (result.outcome, _top(result)) == ("auto", JM_CA)


def test_exact_name_in_another_country_needs_review(matcher):
    result = matcher.match("Gejiu Non-Ferrous Metal Processing", metal="tin", country="Peru")
    assert (result.outcome, _top(result)) == ("review", GEJIU)
    assert result.candidates[0].score < 100.0


def test_typo_is_auto(matcher):
    result = matcher.match("Gejiu Non-Ferous Metal Procesing Co.", metal="tin", country="CN")
    assert (result.outcome, _top(result)) == ("auto", GEJIU)
    assert DEFAULT_THRESHOLDS.auto <= result.candidates[0].score < 100.0


def test_a_misspelt_legal_form_does_not_count_as_a_distinctive_word(matcher):
    result = matcher.match("Gejiu Non-Ferrous Metal Processing Limted", metal="tin")
    assert (result.outcome, _top(result)) == ("auto", GEJIU)
    assert result.candidates[0].score == 100.0  # exact once "Limted" is set aside


def test_word_order_and_fused_words(matcher):
    assert _top(matcher.match("Tin Yunnan Company", metal="tin")) == YUNNAN
    result = matcher.match("Gejiu NonFerrous Metal Processing", metal="tin", country="CN")
    assert (result.outcome, _top(result)) == ("auto", GEJIU)


def test_a_partial_name_needs_review(matcher):
    result = matcher.match("Mitsubishi", metal="tin", country="JP")
    assert (result.outcome, _top(result)) == ("review", MITSUBISHI)


def test_an_unknown_name_is_none(matcher):
    for name in ("Apple Inc.", "Velmora Refining Co., Ltd.", "湖南星河金属材料有限公司"):
        result = matcher.match(name, metal="tin", country="CN")
        assert result.outcome == "none", name


def test_a_sister_plant_is_not_auto(matcher):
    # the distinctive word differs: "Technolom 3" is neither 1 nor 2
    result = matcher.match("OOO Technolom 3", metal="gold", country="RU")
    assert result.outcome != "auto"
    result = matcher.match("OOO Technolom 2", metal="gold", country="RU")
    assert (result.outcome, _top(result)) == ("auto", TECHNOLOM_2)


def test_margin_to_a_different_facility_is_required():
    matcher = Matcher(
        [
            Candidate(1, "Eco-System Recycling Co., Ltd. East Plant", "gold", "JP"),
            Candidate(2, "Eco-System Recycling Co., Ltd. West Plant", "gold", "JP"),
        ],
        Thresholds(auto=60.0, review=50.0, margin=40.0),
    )
    result = matcher.match("Eco System Recycling East Plnt", metal="gold", country="JP")
    assert _top(result) == 1
    assert result.candidates[0].score - result.candidates[1].score < 40.0
    assert result.outcome == "review"


def test_thresholds_decide_the_outcome():
    candidates = [Candidate(1, "Gejiu Non-Ferrous Metal Processing", "tin", "CN")]
    name = "Gejiu Non-Ferous Metal Procesing"
    assert Matcher(candidates).match(name, metal="tin").outcome == "auto"
    strict = Matcher(candidates, Thresholds(auto=99.9, review=99.5, margin=5.0))
    assert strict.match(name, metal="tin").outcome == "none"


def test_metal_blocks(matcher):
    # the same words under another metal are not proposed while the metal has candidates
    result = matcher.match("Yunnan Copper Industry", metal="tin", country="CN")
    assert GOLD_CN not in {c.facility_id for c in result.candidates}
    assert _top(matcher.match("Yunnan Copper Industry", metal="gold")) == GOLD_CN


def test_a_metal_without_candidates_only_suggests_other_metals(matcher):
    # the exact name of a gold refiner, declared for cobalt: shown, never settled
    result = matcher.match("Yunnan Copper Industry Co Ltd", metal="cobalt")
    assert _top(result) == GOLD_CN
    assert result.outcome == "review"
    assert result.candidates[0].other_metal
    assert result.candidates[0].score < DEFAULT_THRESHOLDS.auto


def test_no_auto_match_across_metals_by_fuzzy_name(matcher):
    result = matcher.match("Yunnan Copper Industri Co", metal="cobalt", country="CN")
    assert result.outcome != "auto"
    assert all(c.other_metal for c in result.candidates)
    # the same name without a metal is not across metals
    plain = matcher.match("Yunnan Copper Industry Co Ltd")
    assert (plain.outcome, _top(plain), plain.candidates[0].other_metal) == (
        "auto",
        GOLD_CN,
        False,
    )


def test_identifier_of_another_metals_facility_needs_review(matcher):
    result = matcher.match("Yunnan Tin", metal="cobalt", identifier="CID002180")
    assert (result.outcome, _top(result)) == ("review", YUNNAN)
    assert result.candidates[0].other_metal


def test_wrong_country_still_finds_the_facility_with_a_penalty(matcher):
    right = matcher.match("Gejiu Non Ferrous Metal Processing Company", metal="tin", country="CN")
    wrong = matcher.match("Gejiu Nonferous Metal Processing Company", metal="tin", country="JP")
    assert _top(right) == GEJIU
    assert _top(wrong) == GEJIU
    assert wrong.candidates[0].score < right.candidates[0].score


def test_unknown_country_uses_the_metal_block(matcher):
    result = matcher.match("Gejiu Nonferous Metal Processing", metal="tin", country="Atlantis")
    assert _top(result) == GEJIU


def test_candidates_are_one_per_facility_best_first_within_limit(matcher):
    result = matcher.match("Johnson", metal="gold", limit=1)
    assert len(result.candidates) == 1
    result = matcher.match("Ruashi Mining II", metal="copper", limit=5)
    ids = [c.facility_id for c in result.candidates]
    assert len(ids) == len(set(ids))
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)


def test_empty_query_is_none(matcher):
    assert matcher.match("", metal="tin") == MatchResult("", "none", ())
    assert matcher.match(" -- ", metal="tin").outcome == "none"


def test_match_many_keeps_order_and_agrees_with_match(matcher):
    queries = [
        ("Gejiu Non-Ferous Metal Procesing", "tin", "CN", ""),
        ("Apple Inc.", "gold", "US", ""),
        ("", "tin", "", "CID002180"),
        ("Ruashi Mining", "copper", "", ""),
        ("Yunnan Tin", "tin", "CN", ""),
        ("Johnson Matthey Lmited", "gold", "CA", ""),
    ]
    many = matcher.match_many(queries)
    assert many == [matcher.match(n, metal=m, country=c, identifier=i) for n, m, c, i in queries]
    assert [r.outcome for r in many] == ["auto", "none", "auto", "review", "auto", "auto"]


# --- names in other scripts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "metal", "facility"),
    [
        ("云南锡业股份有限公司锡业分公司", "tin", YUNNAN),  # Chinese, as listed
        ("雲南錫業股份有限公司錫業分公司", "tin", YUNNAN),  # in traditional characters
        ("三菱マテリアル株式会社", "tin", MITSUBISHI),  # Japanese
        ("三菱マテリアル", "tin", MITSUBISHI),  # without 株式会社
        ("हिंदुस्तान जिंक लिमिटेड", "zinc", HINDUSTAN),  # Hindi
        ("हिंदुस्तान जिंक", "zinc", HINDUSTAN),  # without लिमिटेड
    ],
)
def test_names_in_chinese_japanese_and_hindi_match_exactly(matcher, name, metal, facility):
    result = matcher.match(name, metal=metal)
    assert (result.outcome, _top(result)) == ("auto", facility)
    assert result.candidates[0].score == 100.0


def test_fuzzy_matching_works_on_transliterations(matcher):
    # one character left out of the Chinese name, one kana changed in the Japanese one
    chinese = matcher.match("云南锡业股份有限公司锡分公司", metal="tin", country="CN")
    japanese = matcher.match("三菱マテリアール", metal="tin", country="JP")
    assert _top(chinese) == YUNNAN
    assert chinese.outcome in ("auto", "review")
    assert _top(japanese) == MITSUBISHI
    assert japanese.outcome in ("auto", "review")


# --- on the real look-up ------------------------------------------------------------------------


def test_every_real_alias_finds_its_smelter(shared_data):
    # given every alias of the CMRT 6.5 and EMRT 2.1 look-ups as candidates
    rows = []
    for name in ("RMI_CMRT_6.5.xlsx", "RMI_EMRT_2.1.xlsx"):
        path = shared_data / Path("rmi-templates/blank") / name
        rows += read_reference_file(path.read_bytes(), name).rows
    candidates = [
        Candidate(int(r.facility_id[3:]), r.name, r.metal, r.country, (r.facility_id,))
        for r in rows
    ]
    matcher = Matcher(candidates)
    truth: dict[tuple[str, str], set[int]] = {}
    for r in rows:
        truth.setdefault((r.metal, r.name), set()).add(int(r.facility_id[3:]))
    # when every alias is matched by name alone
    queries = [(r.name, r.metal, r.country, "") for r in rows]
    results = matcher.match_many(queries)
    # then each finds one of its CIDs first, and only ambiguous aliases go to review
    assert all(_top(res) in truth[(q[1], q[0])] for q, res in zip(queries, results, strict=True))
    for query, result in zip(queries, results, strict=True):
        if result.outcome != "auto":
            assert len(truth[(query[1], query[0])]) > 1, query
    # and names that are not smelters are never auto-matched
    others = matcher.match_many(
        [(n, "gold", "", "") for n in ("Apple Inc.", "Sumitomo Corporation", "Toyota Motor")]
    )
    assert {r.outcome for r in others} <= {"review", "none"}
