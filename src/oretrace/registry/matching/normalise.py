# ruff: noqa: RUF001, RUF002, RUF003 - names, legal forms and examples in many scripts
"""Normalising facility names, countries, metals and identifiers for matching.

Pure functions, no ORM and no settings: the matching engine, the reference-file parsers and the
search index all call them, so a name normalises the same way wherever it comes from.

`normalise(name)` applies these rules, in this order (each one is a test in
``registry/tests/test_matching.py``):

1. **Unicode NFKC**: full-width letters and digits become ASCII (``ＡＢＣ`` → ``ABC``),
   ligatures are split, ``㈱`` becomes ``(株)``.
2. **Legal forms written in their own script** are removed before transliteration, wherever they
   stand in the name, because a transliteration of them (``ZhuShiHuiShe``) would no longer be
   recognisable: Chinese (股份有限公司, 有限责任公司, 有限公司, 分公司, 公司, traditional
   forms too), Japanese (株式会社, 有限会社, 合同会社, (株) …), Korean (주식회사, (주),
   유한회사), Hindi (प्राइवेट लिमिटेड, प्रा. लि., लिमिटेड, कंपनी) and Thai
   (บริษัท, จำกัด, มหาชน). Russian legal forms (ООО, АО, ПАО …) transliterate to
   recognisable letters and are removed in rule 7.
3. **Case-fold** (``str.casefold``: ``ß`` → ``ss``).
4. **Transliteration** of every non-ASCII character with AnyAscii: accents are dropped
   (``Córrego`` → ``corrego``, ``Bakır`` → ``bakir``), Cyrillic, Devanagari, kana and Hangul
   are romanised, and each Chinese character becomes its own pinyin syllable separated by spaces
   (``云南锡业`` → ``yun nan xi ye``), so that one character more or less costs one token, not a
   whole word. Simplified and traditional characters share their pinyin (锡/錫 → ``xi``), so both
   forms match. Japanese kanji get their Mandarin reading: consistent, not pronounceable.
5. **Punctuation**: apostrophes are removed inside words (``Xi'en`` → ``xien``), dotted
   initials are joined (``A.L.M.T.`` → ``almt``, ``S.p.A.`` → ``spa``), ``&`` and ``+`` mean
   *and*; every other character that is not a letter or digit separates words; then runs of
   single letters are joined into one word (``S A`` → ``sa``, ``S C Alro`` → ``sc alro``), so
   initials written with spaces compare like initials written with dots.
6. **Known variants** of single words are mapped to one spelling: old romanisations of Chinese
   places (Kwangtung → guangdong, Amoy → xiamen, Canton → guangzhou, Peking → beijing, Nanking →
   nanjing …, see `VARIANTS`), Wolfram/Volfram → tungsten, aluminum → aluminium, common
   abbreviations (intl → international, mfg → manufacturing, tech → technology …) and plurals of
   the trade words (metals → metal, materials → material, refineries → refinery …).
7. **Legal-form words** in Latin script are removed wherever they stand: multi-word forms first
   (joint stock company, sdn bhd, s de rl de cv, sanayi ve ticaret …), then single words (co, ltd,
   limited, inc, corp, gmbh, ag, sa, sas, spa, bv, nv, pt, tbk, persero, pvt, llc, jsc, ooo, kk,
   tnhh …, see `LEGAL_FORMS`).
8. **Connecting words** (and, of, the, de, da, do, du, der, und, et, y, ve …) are dropped.
9. Rules 7 and 8 never empty a name: when only legal forms or connecting words are left
   (a company called "Limited"), the words before those rules are kept.

The result is the words joined by single spaces; ``''`` for a name with no letters or digits.
`spelling(name)` stops after rule 6, for telling apart names that differ only by legal form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry
from anyascii import anyascii

# --- rule 2: legal forms in non-Latin scripts (longest first, so that 股份有限公司 wins over 公司)
_SCRIPT_LEGAL_FORMS = (
    "股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "分公司", "公司", "株式会社",
    "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "주식회사", "유한책임회사",
    "유한회사", "(주)", "प्राइवेट लिमिटेड", "प्रा. लि.", "प्रा.लि.", "प्रा लि", "लिमिटेड",
    "प्राइवेट", "कंपनी", "कम्पनी", "บริษัท", "(มหาชน)", "มหาชน", "จำกัด",
)  # fmt: skip
_SCRIPT_LEGAL_RE = re.compile("|".join(re.escape(f) for f in _SCRIPT_LEGAL_FORMS))

# --- rule 4: CJK ideographs (unified, extension A, compatibility) are transliterated one by one.
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# --- rule 5
_APOSTROPHES_RE = re.compile(r"(?<=\w)['’ʼ`´](?=\w)")
_INITIALS_RE = re.compile(r"(?<![a-z0-9])((?:[a-z]\.){1,}[a-z])\.?(?![a-z0-9])")
_NON_WORD_RE = re.compile(r"[^a-z0-9]+")

# --- rule 6: one spelling per word.
VARIANTS: dict[str, str] = {
    # Old (Postal / Wade-Giles) romanisations of Chinese places still found in company names.
    "kwangtung": "guangdong", "canton": "guangzhou", "amoy": "xiamen", "peking": "beijing",
    "peiping": "beijing", "nanking": "nanjing", "tientsin": "tianjin", "tsingtao": "qingdao",
    "tsingtau": "qingdao", "chungking": "chongqing", "fukien": "fujian", "foochow": "fuzhou",
    "kiangsi": "jiangxi", "kiangsu": "jiangsu", "hupeh": "hubei", "hupei": "hubei",
    "honan": "henan", "hopeh": "hebei", "hopei": "hebei", "szechuan": "sichuan",
    "szechwan": "sichuan", "kwangsi": "guangxi", "kweichow": "guizhou", "chekiang": "zhejiang",
    "anhwei": "anhui", "shantung": "shandong", "shensi": "shaanxi", "shansi": "shanxi",
    "kansu": "gansu", "tsinghai": "qinghai", "sinkiang": "xinjiang", "swatow": "shantou",
    "hangchow": "hangzhou", "soochow": "suzhou", "mukden": "shenyang", "dairen": "dalian",
    # Other renamed places found in smelter addresses.
    "bombay": "mumbai", "madras": "chennai", "calcutta": "kolkata", "bangalore": "bengaluru",
    "rangoon": "yangon", "elisabethville": "lubumbashi", "jadotville": "likasi",
    # Metals.
    "wolfram": "tungsten", "volfram": "tungsten", "wolframio": "tungsten",
    "aluminum": "aluminium",
    # Abbreviations.
    "intl": "international", "comp": "company", "int": "international", "natl": "national",
    "mfg": "manufacturing", "tech": "technology", "ind": "industry", "inds": "industry",
    "indus": "industry", "chem": "chemical", "grp": "group", "hldgs": "holding", "mtl": "metal",
    "mtls": "metal", "mng": "mining",
    # Plurals of the trade words.
    "metals": "metal", "materials": "material", "minerals": "mineral", "industries": "industry",
    "technologies": "technology", "resources": "resource", "refineries": "refinery",
    "refiners": "refiner", "smelters": "smelter", "works": "work", "mines": "mine",
    "products": "product", "chemicals": "chemical", "enterprises": "enterprise",
    "holdings": "holding", "operations": "operation", "services": "service", "alloys": "alloy",
    "systems": "system", "laboratories": "laboratory", "mills": "mill", "plants": "plant",
}  # fmt: skip
_PHRASE_VARIANTS = {"hong kong": "hongkong"}

# --- rule 7: legal forms in Latin script (after transliteration, so ООО arrives as "ooo").
_LEGAL_PHRASES = (
    "public joint stock company", "open joint stock company", "closed joint stock company",
    "joint stock company", "joint stock co", "limited liability company",
    "limited liability partnership", "public company limited", "public limited company",
    "private limited", "company limited", "gesellschaft mit beschrankter haftung",
    "sociedad anonima", "sociedade anonima", "societe anonyme", "societa per azioni",
    "spolka akcyjna", "spolka z ograniczona odpowiedzialnoscia", "sp z o o", "spol s r o",
    "s r o", "kabushiki kaisha", "kabushiki gaisha", "yugen kaisha", "perseroan terbatas",
    "sanayi ve ticaret", "san ve tic", "ic ve dis ticaret", "ltd sti", "s de rl de cv",
    "sab de cv", "sa de cv", "de cv", "s de rl", "cong ty", "co phan", "sdn bhd", "pty ltd",
    "pte ltd", "pvt ltd", "co ltd", "co inc",
)  # fmt: skip
LEGAL_FORMS = frozenset({
    "co", "cos", "company", "corp", "corporation", "inc", "incorporated", "ltd", "ltda", "lda",
    "limited", "llc", "llp", "lp", "plc", "pty", "pte", "pvt", "private", "gmbh", "mbh", "ag",
    "kg", "kgaa", "ohg", "aktiengesellschaft", "sa", "sas", "sau", "sarl", "sprl", "srl", "spa",
    "sl", "scs", "snc", "bv", "nv", "bvba", "ab", "oy", "oyj", "as", "asa", "aps", "pt", "tbk",
    "persero", "cv", "sdn", "bhd", "berhad", "jsc", "ojsc", "cjsc", "pjsc", "ooo", "oao", "zao",
    "pao", "ao", "tov", "doo", "dd", "ad", "kft", "zrt", "nyrt", "sro", "kk", "tnhh", "sti",
    "ltdsti",
})  # fmt: skip
_LEGAL_RE = re.compile(
    r"(?<!\S)(?:"
    + "|".join(re.escape(p) for p in sorted(_LEGAL_PHRASES, key=len, reverse=True))
    + r")(?!\S)"
)

# --- rule 8
STOPWORDS = frozenset({
    "the", "of", "and", "und", "et", "y", "e", "ve", "de", "da", "do", "das", "dos", "del",
    "della", "des", "du", "di", "der", "den", "van", "von", "la", "le", "les", "el", "los",
})  # fmt: skip


def _transliterate(text: str) -> str:
    text = _HAN_RE.sub(lambda m: f" {anyascii(m.group())} ", text)
    return anyascii(text)


def _join_letters(words: list[str]) -> list[str]:
    """Runs of single letters are one word: "s a" (S.A. without its dots) → "sa"."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if run:
            out.extend(["".join(run)] if len(run) > 1 else run)
            run = []
        if word:
            out.append(word)
    return out


@lru_cache(maxsize=131072)
def spelling(name: str) -> str:
    """Rules 1–6 only: legal forms and connecting words are kept.

    Tells apart names that differ only by their legal form, which the RMI list sometimes uses
    for different facilities ("H.C. Starck Ltd." and "H.C. Starck Co., Ltd.").
    """
    text = unicodedata.normalize("NFKC", name)
    text = _SCRIPT_LEGAL_RE.sub(" ", text)
    text = text.casefold()
    if not text.isascii():
        text = _transliterate(text).casefold()
    text = _APOSTROPHES_RE.sub("", text)
    text = text.replace("&", " and ").replace("+", " and ")
    text = _INITIALS_RE.sub(lambda m: m.group(1).replace(".", ""), text)
    words = _join_letters(_NON_WORD_RE.sub(" ", text).split())
    joined = " ".join(VARIANTS.get(w, w) for w in words)
    for phrase, replacement in _PHRASE_VARIANTS.items():
        joined = joined.replace(phrase, replacement)
    return joined


@lru_cache(maxsize=131072)
def normalise(name: str) -> str:
    """The comparable form of a facility name: see the module docstring for every rule."""
    joined = spelling(name)
    if not joined:
        return ""
    kept = [w for w in _LEGAL_RE.sub(" ", joined).split() if w not in LEGAL_FORMS]
    if not kept:
        return joined
    content = [w for w in kept if w not in STOPWORDS]
    return " ".join(content or kept)


# --- identifiers ---------------------------------------------------------------------------------

CID_RE = re.compile(r"^CID\d{6}$")
OLD_SMELTER_ID_RE = re.compile(r"^[1-4][A-Z]{3}\d{3}$")
_ID_NOISE_RE = re.compile(r"[^0-9A-Za-z]+")


def normalise_identifier(text: str) -> str:
    """An identifier as compared: upper case, letters and digits only (no spaces, dashes, dots).

    ``'cid 002763'`` → ``'CID002763'``; ``'1jpn072'`` → ``'1JPN072'``.
    """
    return _ID_NOISE_RE.sub("", unicodedata.normalize("NFKC", text)).upper()


_PARENTHESES_RE = re.compile(r"\s*\([^)]*\)")

# --- metals ---------------------------------------------------------------------------------------

# Template labels, names, symbols and the Chinese names of the minerals in
# oretrace.core.reference.MINERALS (kept in step with it by a test: this module must not import
# the ORM). Keys are case-folded.
_METALS: dict[str, str] = {}
for _code, _labels in {
    "tin": ("tin", "sn", "锡", "錫"),
    "tantalum": ("tantalum", "ta", "钽", "鉭", "タンタル"),
    "tungsten": ("tungsten", "w", "wolfram", "钨", "鎢", "タングステン"),
    "gold": ("gold", "au", "金"),
    "cobalt": ("cobalt", "co", "钴", "鈷", "コバルト"),
    "mica": ("mica", "natural mica", "云母", "雲母"),
    "copper": ("copper", "cu", "铜", "銅"),
    "graphite": ("graphite", "natural graphite", "石墨"),
    "lithium": ("lithium", "li", "锂", "鋰"),
    "nickel": ("nickel", "ni", "镍", "鎳"),
    "aluminium": ("aluminium", "aluminum", "al", "铝", "鋁"),
    "iridium": ("iridium", "ir", "铱"),
    "lime": ("lime", "石灰"),
    "manganese": ("manganese", "mn", "锰"),
    "palladium": ("palladium", "pd", "钯"),
    "platinum": ("platinum", "pt", "铂"),
    "rare-earth-elements": (
        "rare-earth-elements",
        "rare earth elements",
        "rare earths",
        "rare earth",
        "ree",
        "稀土",
    ),
    "rhodium": ("rhodium", "rh", "铑"),
    "ruthenium": ("ruthenium", "ru", "钌"),
    "silver": ("silver", "ag", "银", "銀"),
    "soda-ash": ("soda-ash", "soda ash", "纯碱"),
    "zinc": ("zinc", "zn", "锌", "鋅"),
}.items():
    for _label in _labels:
        _METALS[_label] = _code
METAL_CODES = frozenset(_METALS.values())


def metal_code(text: str) -> str:
    """The mineral code (``'tin'``, ``'rare-earth-elements'`` …) for a label, name or symbol.

    ``''`` when the text names no mineral oretrace knows (including the ``0`` that a template's
    formula leaves in placeholder rows).
    """
    key = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    if key in _METALS:
        return _METALS[key]
    # Legacy CMRTs write "Gold (Au)"; required-field labels end in "(*)".
    return _METALS.get(_PARENTHESES_RE.sub("", key).strip(), "")


# --- countries ------------------------------------------------------------------------------------

# Spellings pycountry does not resolve: the RMI templates' country list (uppercase ISO short
# names with their own punctuation), common English short forms, and the names in Chinese,
# Japanese, Korean, Russian and Hindi of the countries most smelters are in.
_COUNTRY_SPELLINGS: dict[str, str] = {
    "bolivia (plurinational state of)": "BO", "bolivia": "BO",
    "congo, democratic republic of the": "CD", "democratic republic of the congo": "CD",
    "democratic republic of congo": "CD", "dr congo": "CD", "drc": "CD", "congo (kinshasa)": "CD",
    "congo (brazzaville)": "CG", "holy see": "VA", "iran (islamic republic of)": "IR",
    "iran": "IR", "korea (democratic people's republic of)": "KP", "north korea": "KP",
    "korea, republic of": "KR", "south korea": "KR", "korea": "KR",
    "micronesia (federated states of)": "FM", "turkey": "TR",
    "venezuela (bolivarian republic of)": "VE", "venezuela": "VE",
    "virgin islands (british)": "VG", "virgin islands (u.s.)": "VI", "western sahara *": "EH",
    "north macedonia, republic of": "MK", "macedonia": "MK", "russia": "RU", "vietnam": "VN",
    "taiwan": "TW", "laos": "LA", "tanzania": "TZ", "syria": "SY", "moldova": "MD",
    "ivory coast": "CI", "czech republic": "CZ", "swaziland": "SZ", "burma": "MM",
    "holland": "NL", "the netherlands": "NL", "usa": "US", "u.s.a.": "US", "u.s.": "US",
    "united states": "US", "america": "US", "uk": "GB", "u.k.": "GB", "great britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "hong kong": "HK", "macau": "MO",
    "macao": "MO", "中国": "CN", "中國": "CN", "中华人民共和国": "CN", "日本": "JP", "韩国": "KR",
    "韓国": "KR", "韓國": "KR", "大韩民国": "KR", "한국": "KR", "대한민국": "KR", "台湾": "TW",
    "台灣": "TW", "臺灣": "TW", "中国台湾": "TW", "香港": "HK", "美国": "US", "米国": "US",
    "アメリカ": "US", "アメリカ合衆国": "US", "德国": "DE", "ドイツ": "DE", "俄罗斯": "RU",
    "ロシア": "RU", "россия": "RU", "印度": "IN", "インド": "IN", "भारत": "IN",
    "印度尼西亚": "ID", "インドネシア": "ID", "巴西": "BR", "ブラジル": "BR", "刚果(金)": "CD",
    "刚果民主共和国": "CD", "马来西亚": "MY", "マレーシア": "MY", "泰国": "TH", "タイ": "TH",
    "越南": "VN", "ベトナム": "VN", "秘鲁": "PE", "玻利维亚": "BO", "南非": "ZA", "瑞士": "CH",
    "スイス": "CH", "澳大利亚": "AU", "オーストラリア": "AU", "加拿大": "CA", "カナダ": "CA",
    "比利时": "BE", "英国": "GB", "イギリス": "GB", "法国": "FR", "フランス": "FR",
    "菲律宾": "PH", "フィリピン": "PH", "卢旺达": "RW", "缅甸": "MM", "哈萨克斯坦": "KZ",
}  # fmt: skip
_UNKNOWN_COUNTRY = frozenset({"", "unknown", "n/a", "na", "none", "-", "?", "0", "未知"})


def _pycountry(text: str) -> str:
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return ""


@lru_cache(maxsize=4096)
def country_code(text: str) -> str:
    """ISO 3166-1 alpha-2 code for a country as written (``'KOREA, REPUBLIC OF'`` → ``'KR'``).

    Tries, in order: the table of spellings above, pycountry's names and alpha-2/alpha-3/numeric
    codes, the name with its ``"X, Y"`` halves turned round (``"Korea, Republic of"`` → ``"Republic
    of Korea"``), and the name without a parenthesised part. ``''`` when nothing resolves.
    """
    key = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    if key in _UNKNOWN_COUNTRY:
        return ""
    if key in _COUNTRY_SPELLINGS:
        return _COUNTRY_SPELLINGS[key]
    attempts = [key]
    if "," in key:
        head, _, tail = key.partition(",")
        attempts.append(f"{tail.strip()} {head.strip()}")
    attempts.append(_PARENTHESES_RE.sub("", key).strip())
    for attempt in attempts:
        if attempt and (code := _COUNTRY_SPELLINGS.get(attempt) or _pycountry(attempt)):
            return code
    return ""
