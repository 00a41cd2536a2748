"""Smart-city sector taxonomy (fixed ids), sector similarity and sector inference (keywords and a
classifier over sentence vectors)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.lexical import fold

__all__ = [
    "SECTORS",
    "SECTOR_IDS",
    "Sector",
    "infer_sectors",
    "sector_label",
    "sector_scores",
    "sector_similarity",
    "sector_similarity_matrix",
    "sector_vector",
]


@dataclass(frozen=True)
class Sector:
    id: str
    labels: dict[str, str]  # lang -> label
    keywords: dict[str, tuple[str, ...]]  # lang -> keywords (whole words, plural endings allowed)


def _s(sid: str, en: str, fr: str, ar: str, kw_en: str, kw_fr: str, kw_ar: str) -> Sector:
    split = lambda s: tuple(k.strip() for k in s.split(",") if k.strip())  # noqa: E731
    return Sector(
        sid,
        {"en": en, "fr": fr, "ar": ar},
        {"en": split(kw_en), "fr": split(kw_fr), "ar": split(kw_ar)},
    )


# fmt: off
SECTORS: tuple[Sector, ...] = (
    _s("mobility", "Urban mobility", "Mobilité urbaine", "التنقل الحضري",
       "mobility, micromobility, bike sharing, scooter, electric vehicle, ev charging, carpool, "
       "ride sharing, fleet",
       "mobilité, micromobilité, vélo, trottinette, véhicule électrique, recharge, covoiturage, "
       "autopartage, flotte",
       "التنقل, الدراجات, الدراجة, السيارات الكهربائية, شحن, التنقل المشترك, أسطول"),
    _s("traffic", "Traffic management", "Gestion du trafic", "إدارة حركة المرور",
       "traffic management, traffic signal, traffic light, intersection, congestion, road network, "
       "vehicle counting, road traffic",
       "trafic routier, circulation, feux tricolores, carrefour, congestion, embouteillage, "
       "régulation du trafic, comptage",
       "حركة المرور, حركة السير, إشارات المرور, الإشارات الضوئية, الازدحام, الاختناقات, التقاطعات"),
    _s("parking", "Parking", "Stationnement", "مواقف السيارات",
       "parking, parking space, parking lot, car park, parking meter, kerbside",
       "stationnement, parking, places de stationnement, horodateur, parcmètre",
       "مواقف السيارات, ركن السيارات, الوقوف, عدادات الوقوف, الباركينغ"),
    _s("public_transport", "Public transport", "Transport public", "النقل العمومي",
       "public transport, bus, tramway, tram, metro, transit, ticketing, bus rapid transit, "
       "passenger information",
       "transport public, transports en commun, bus, tramway, métro, billettique, busway, "
       "information voyageurs",
       "النقل العمومي, النقل العام, الحافلات, الحافلة, الترامواي, الترام, المترو, التذاكر"),
    _s("energy", "Energy", "Énergie", "الطاقة",
       "energy, smart grid, solar, photovoltaic, renewable, electricity, power grid, storage, "
       "battery, microgrid",
       "énergie, réseau électrique intelligent, solaire, photovoltaïque, renouvelable, "
       "électricité, stockage, batterie",
       "الطاقة, الشبكة الكهربائية, الطاقة الشمسية, الكهرباء, المتجددة, التخزين, البطاريات"),
    _s("street_lighting", "Street lighting", "Éclairage public", "الإنارة العمومية",
       "street lighting, streetlight, street lamp, lamp post, lighting, led lighting, luminaire, "
       "dimming",
       "éclairage public, éclairage, lampadaire, luminaire, led, candélabre, gradation",
       "الإنارة العمومية, الإنارة, أعمدة الإنارة, المصابيح, الإضاءة, إنارة"),
    _s("water", "Water", "Eau", "الماء",
       "water, leak, drinking water, non-revenue water, wastewater, sewer, irrigation, "
       "desalination, flood, "
       "water meter",
       "eau, eau potable, fuite, eaux usées, assainissement, irrigation, dessalement, inondation, "
       "compteur d'eau, réseau d'eau",
       "الماء, المياه, التسربات, الصرف الصحي, السقي, الري, تحلية, الفيضانات, عدادات الماء"),
    _s("waste", "Waste management", "Gestion des déchets", "تدبير النفايات",
       "waste, garbage, recycling, bin, collection, landfill, sorting, circular economy",
       "déchets, ordures, recyclage, poubelle, bac, collecte, décharge, tri, économie circulaire",
       "النفايات, الأزبال, إعادة التدوير, الحاويات, جمع, المطرح, الفرز, الاقتصاد الدائري"),
    _s("buildings", "Smart buildings", "Bâtiments intelligents", "المباني الذكية",
       "building, bms, hvac, facility management, construction, retrofit, insulation, bim",
       "bâtiment, gestion technique du bâtiment, climatisation, chauffage, construction, "
       "rénovation énergétique, isolation",
       "المباني, البنايات, التكييف, التدفئة, البناء, العزل, تدبير المرافق"),
    _s("urban_planning", "Urban planning", "Urbanisme", "التخطيط العمراني",
       "urban planning, masterplan, zoning, digital twin, gis, land use, urban development, "
       "3d city",
       "urbanisme, plan d'aménagement, aménagement urbain, jumeau numérique, sig, foncier, "
       "cadastre",
       "التخطيط العمراني, التعمير, تصميم التهيئة, التوأم الرقمي, نظم المعلومات الجغرافية, العقار"),
    _s("e_government", "E-government", "Administration numérique", "الإدارة الرقمية",
       "e-government, online services, digital administration, permits, civil registry, "
       "certificates, administrative, "
       "dematerialisation, e-services, digital identity",
       "administration numérique, e-administration, démarches en ligne, dématérialisation, "
       "guichet, état civil, permis, services en ligne",
       "الإدارة الرقمية, الإدارة الإلكترونية, الخدمات الإلكترونية, رقمنة, الحالة المدنية, "
       "الرخص, الشباك"),
    _s("public_safety", "Public safety", "Sécurité publique", "الأمن العمومي",
       "public safety, security, video surveillance, cctv, emergency, police, fire, crisis, "
       "incident",
       "sécurité publique, vidéosurveillance, vidéoprotection, urgence, secours, police, "
       "pompiers, crise",
       "الأمن, السلامة, المراقبة بالكاميرات, كاميرات المراقبة, المراقبة بالفيديو, الطوارئ, "
       "الإسعاف, الوقاية المدنية"),
    _s("health", "Health", "Santé", "الصحة",
       "health, hospital, telemedicine, clinic, patient, medical, healthcare, doctor, specialists",
       "santé, hôpital, télémédecine, téléconsultation, clinique, patient, médical, médecin, "
       "soins, centre de santé, dispensaire",
       "الصحة, المستشفى, المستشفيات, التطبيب عن بعد, المرضى, الطبية, المراكز الصحية, أطباء, طبيب"),
    _s("education", "Education", "Éducation", "التعليم",
       "education, school, training, e-learning, university, students, skills, teachers, "
       "classroom, bootcamp, coding",
       "éducation, école, formation, former, enseignement, université, élèves, étudiants, "
       "compétences, collège",
       "التعليم, المدارس, المدرسة, التكوين, الجامعة, التلاميذ, الطلبة, المهارات, "
       "الفصول الدراسية, الأساتذة"),
    _s("environment", "Environment & climate", "Environnement et climat", "البيئة والمناخ",
       "environment, air quality, pollution, climate, emissions, carbon, green spaces, trees, "
       "heat island, noise",
       "environnement, qualité de l'air, pollution, climat, émissions, carbone, espaces verts, "
       "arbres, îlots de chaleur, bruit, végétalisation",
       "البيئة, جودة الهواء, التلوث, المناخ, الانبعاثات, الكربون, المساحات الخضراء, الأشجار"),
    _s("connectivity", "Connectivity & IoT", "Connectivité et IoT", "الاتصال وإنترنت الأشياء",
       "connectivity, 5g, fiber, wifi, iot, lorawan, sensors, telecom, broadband",
       "connectivité, 5g, fibre optique, wifi, iot, objets connectés, capteurs, télécom, "
       "très haut débit",
       "الاتصال, الألياف البصرية, إنترنت الأشياء, المستشعرات, الاتصالات, الصبيب العالي, الويفي"),
    _s("data_platforms", "Data platforms & AI", "Plateformes de données et IA",
       "منصات البيانات والذكاء الاصطناعي",
       "data platform, open data, analytics, dashboard, artificial intelligence, machine learning, "
       "hypervision, urban data, data, datasets, information systems, cybersecurity",
       "plateforme de données, données ouvertes, open data, tableau de bord, intelligence "
       "artificielle, hyperviseur, données urbaines, données",
       "البيانات, البيانات المفتوحة, لوحة القيادة, الذكاء الاصطناعي, تحليل المعطيات, المعطيات, "
       "مؤشرات"),
    _s("tourism", "Tourism & culture", "Tourisme et culture", "السياحة والثقافة",
       "tourism, tourists, visitors, heritage, museum, culture, hotel, guided tours",
       "tourisme, touristes, visiteurs, patrimoine, musée, culture, médina, hôtellerie",
       "السياحة, السياح, سياحي, الزوار, التراث, المتحف, الثقافة, المدينة العتيقة, المدن العتيقة, "
       "الفنادق"),
    _s("finance", "Finance & investment", "Financement et investissement", "التمويل والاستثمار",
       "investment, funding, venture capital, financing, ppp, public-private partnership, loan, "
       "grant, investors, fund, invest, fundraising",
       "investissement, financement, capital-risque, levée de fonds, partenariat public-privé, "
       "ppp, prêt, subvention, investisseurs, investissent, fonds, business angels, "
       "tour de table, levons",
       "الاستثمار, التمويل, رأس المال, الشراكة بين القطاعين, القروض, المستثمرين, المنح, ممول, "
       "صندوق استثمار"),
    _s("citizen_engagement", "Citizen engagement", "Participation citoyenne", "المشاركة المواطنة",
       "citizen engagement, participation, consultation, complaints, citizen app, feedback, "
       "participatory budget, civic, citizens report, residents",
       "participation citoyenne, consultation, concertation, réclamations, doléances, "
       "budget participatif, application citoyenne, signalement, habitants",
       "المشاركة المواطنة, المواطنين, الشكايات, العرائض, التشاور, الميزانية التشاركية"),
)
# fmt: on

SECTOR_IDS: tuple[str, ...] = tuple(s.id for s in SECTORS)
_INDEX = {sid: i for i, sid in enumerate(SECTOR_IDS)}

# Known neighbours: (a, b, similarity). Symmetric; diagonal is 1.
_EDGES = [
    ("mobility", "traffic", 0.7),
    ("mobility", "parking", 0.7),
    ("mobility", "public_transport", 0.7),
    ("traffic", "parking", 0.5),
    ("traffic", "public_transport", 0.5),
    ("parking", "public_transport", 0.4),
    ("energy", "street_lighting", 0.6),
    ("energy", "buildings", 0.6),
    ("street_lighting", "buildings", 0.3),
    ("street_lighting", "public_safety", 0.3),
    ("water", "environment", 0.5),
    ("waste", "environment", 0.5),
    ("water", "waste", 0.3),
    ("energy", "environment", 0.4),
    ("buildings", "urban_planning", 0.5),
    ("urban_planning", "environment", 0.3),
    ("urban_planning", "data_platforms", 0.3),
    ("e_government", "citizen_engagement", 0.6),
    ("e_government", "data_platforms", 0.5),
    ("data_platforms", "connectivity", 0.5),
    ("connectivity", "street_lighting", 0.3),
    ("public_safety", "data_platforms", 0.3),
    ("public_safety", "traffic", 0.3),
    ("health", "environment", 0.3),
    ("education", "e_government", 0.3),
    ("tourism", "citizen_engagement", 0.3),
    ("tourism", "mobility", 0.3),
    ("traffic", "data_platforms", 0.3),
]


def _build_matrix() -> np.ndarray:
    m = np.eye(len(SECTOR_IDS), dtype=np.float32)
    for a, b, w in _EDGES:
        m[_INDEX[a], _INDEX[b]] = m[_INDEX[b], _INDEX[a]] = w
    return m


_SIM = _build_matrix()


def _scaled(scale: float) -> np.ndarray:
    eye = np.eye(len(SECTOR_IDS), dtype=np.float32)
    return eye + scale * (_SIM - eye)


def sector_similarity_matrix() -> np.ndarray:
    """(20, 20) matrix of sector similarities in [0, 1] (copy)."""
    return _SIM.copy()


def sector_label(sector_id: str, lang: str = "en") -> str:
    s = SECTORS[_INDEX[sector_id]]
    return s.labels.get(lang) or s.labels["en"]


def sector_vector(weights: dict[str, float] | list[str]) -> np.ndarray:
    """Dense (20,) vector from sector ids (weight 1) or an id -> weight mapping."""
    v = np.zeros(len(SECTOR_IDS), dtype=np.float32)
    items = weights.items() if isinstance(weights, dict) else ((s, 1.0) for s in weights)
    for sid, w in items:
        if sid in _INDEX:
            v[_INDEX[sid]] = max(v[_INDEX[sid]], float(w))
    return v


def sector_similarity(a: np.ndarray, b: np.ndarray, neighbour_scale: float = 1.0) -> np.ndarray:
    """Soft cosine between sector vectors (rows) under the neighbour matrix, in [0, 1].

    ``a``: (20,) or (n, 20); ``b``: (m, 20). Returns (m,) or (n, m). ``neighbour_scale``
    multiplies the neighbour similarities (0 = exact sector overlap only).
    """
    sim = _SIM if neighbour_scale == 1.0 else _scaled(neighbour_scale)
    a2 = np.atleast_2d(a).astype(np.float32)
    b2 = np.atleast_2d(b).astype(np.float32)
    num = a2 @ sim @ b2.T
    na = np.sqrt(np.einsum("ij,jk,ik->i", a2, sim, a2))
    nb = np.sqrt(np.einsum("ij,jk,ik->i", b2, sim, b2))
    den = np.outer(na, nb)
    out = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    out = np.clip(out, 0.0, 1.0)
    return out[0] if np.ndim(a) == 1 else out


# ---------------------------------------------------------------- inference
# keywords that are acronyms: matched in capitals only, on the raw text, since the lower-case
# word is something else in another language ("a team led by", French "sig" is "SIG", a GIS)
ACRONYM_KEYWORDS = frozenset({"led", "sig"})


def _kw_pattern(kw: str) -> tuple[str, re.Pattern[str], bool]:
    """(folded keyword for a cheap substring test, pattern, match on the raw text?)."""
    if kw in ACRONYM_KEYWORDS:
        up = kw.upper()
        return up, re.compile(r"(?<!\w)" + re.escape(up) + r"s?(?!\w)"), True
    k = fold(kw)
    if re.search(r"[\u0600-\u06ff]", k):
        # Arabic: clitics attach, so plain substring, and the first article is optional
        k = re.sub(r"^ال(?=\S\S\S)", "", k)
        return k, re.compile(re.escape(k)), False
    # Latin: the whole word, or with a plural / feminine ending ("buses", "capteurs", "fuites"),
    # not any word it starts ("bus" in "business", "fund" in "fundamental", "tri" in "tribunal")
    return k, re.compile(r"(?<!\w)" + re.escape(k) + r"(?:s|es|x|e)?(?!\w)"), False


_KW_PATTERNS = [
    [_kw_pattern(k) for lang in ("en", "fr", "ar") for k in s.keywords[lang]] for s in SECTORS
]


_ARABIC = re.compile(r"[\u0600-\u06ff]")


def _keyword_index():
    """Latin one-word keywords by the words that match them (the keyword and its plural /
    feminine forms: exactly what its pattern accepts as a whole word); the other keywords keep
    their patterns, Arabic ones (substrings, only in a text with Arabic letters) apart from the
    rest (several words, acronyms). Entries are (sector, position in the sector's list)."""
    by_word: dict[str, list[tuple[int, int]]] = {}
    arabic: list[tuple[int, int]] = []
    latin: list[tuple[int, int]] = []
    for i, pats in enumerate(_KW_PATTERNS):
        for j, (k, _p, raw) in enumerate(pats):
            if _ARABIC.search(k):
                arabic.append((i, j))
            elif not raw and re.fullmatch(r"\w+", k):
                for form in {k, k + "s", k + "es", k + "x", k + "e"}:
                    by_word.setdefault(form, []).append((i, j))
            else:
                latin.append((i, j))
    return by_word, arabic, latin


_KW_BY_WORD, _KW_ARABIC, _KW_LATIN = _keyword_index()


def keyword_scores(text: str) -> np.ndarray:
    """(20,) scores in [0, 1) from multilingual keyword hits (1 - exp(-distinct keywords)).

    One-word Latin keywords are looked up by the text's words (most of them, and most of the
    time: this runs for every phrase a recommendation's reasons quote); the others are searched
    for one by one."""
    f = fold(text)
    found = {hit for word in set(re.findall(r"\w+", f)) for hit in _KW_BY_WORD.get(word, ())}
    for i, j in (_KW_LATIN + _KW_ARABIC) if _ARABIC.search(f) else _KW_LATIN:
        k, p, raw = _KW_PATTERNS[i][j]
        src = text if raw else f
        # cheap substring test first; the regex (word boundary) only runs on candidates
        if k in src and p.search(src):
            found.add((i, j))
    hits = np.zeros(len(_KW_PATTERNS), np.float32)
    for i, _j in found:
        hits[i] += 1
    return 1.0 - np.exp(-hits)


_PROTOTYPES: dict[str, np.ndarray] = {}


def _prototypes(encoder) -> np.ndarray:
    """Encoded sector prototypes (labels and keyword phrases in 3 languages), cached."""
    if encoder.name not in _PROTOTYPES:
        texts = []
        for s in SECTORS:
            for lang in ("en", "fr", "ar"):
                texts.append(s.labels[lang])
                texts.append(f"{s.labels[lang]}: {', '.join(s.keywords[lang])}")
        _PROTOTYPES[encoder.name] = encoder.encode(texts)
    return _PROTOTYPES[encoder.name]


def prototype_profile(vectors: np.ndarray, encoder) -> np.ndarray:
    """(n, n_prototypes) cosine to every sector prototype, centred per row and L2-normalised.

    A language-independent "concept profile": two texts about the same topic in different
    languages have similar profiles even when their direct cosine is weak.
    """
    protos = _prototypes(encoder)
    sims = np.atleast_2d(vectors) @ protos.T
    sims = sims - sims.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(sims, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (sims / norms).astype(np.float32)


# ------------------------------------------------------------ sector classifier
# A multinomial logistic regression over sentence vectors, trained on the taxonomy's own labels
# and keywords plus the labelled phrases of ``ml.sector_phrases`` and ``ml.sector_phrases_extra``
# (never on fixtures/eval/).
# Measured top-1 sector accuracy (printed by python -m ml.evaluate): it replaces the earlier
# zero-shot nearest-prototype score, see docs/benchmarks-ml.md.
CLASSIFIER_FILE = Path(__file__).with_name("sector_classifier.npz")
CLASSIFIER_C = 1.0
_CLASSIFIERS: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def training_phrases() -> tuple[list[str], list[int]]:
    """(texts, sector index) the classifier learns from, in a fixed order."""
    from ml.sector_phrases import SECTOR_PHRASES
    from ml.sector_phrases_extra import EXTRA_PHRASES

    texts: list[str] = []
    labels: list[int] = []
    for i, s in enumerate(SECTORS):
        for lang in ("en", "fr", "ar"):
            for t in (s.labels[lang], *s.keywords[lang]):
                texts.append(t)
                labels.append(i)
        bank = SECTOR_PHRASES.get(s.id, {})
        for side in ("offers", "needs"):
            for phrases in bank.get(side, {}).values():
                texts.extend(phrases)
                labels.extend([i] * len(phrases))
        for lang in ("en", "fr", "ar"):
            phrases = EXTRA_PHRASES.get(s.id, {}).get(lang, [])
            texts.extend(phrases)
            labels.extend([i] * len(phrases))
    return texts, labels


def training_hash() -> str:
    texts, labels = training_phrases()
    blob = json.dumps([texts, labels, CLASSIFIER_C], ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def train_classifier(encoder) -> tuple[np.ndarray, np.ndarray]:
    """Fit the classifier for ``encoder``: (coef (20, dim), intercept (20,))."""
    from sklearn.linear_model import LogisticRegression

    texts, labels = training_phrases()
    clf = LogisticRegression(C=CLASSIFIER_C, max_iter=3000).fit(encoder.encode(texts), labels)
    return clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32)


def _classifier(encoder) -> tuple[np.ndarray, np.ndarray]:
    """The shipped weights when they were fitted for this encoder on the current phrases,
    otherwise a fit now (once per process)."""
    if encoder.name not in _CLASSIFIERS:
        model = None
        try:
            with np.load(CLASSIFIER_FILE) as data:
                if str(data["encoder"]) == encoder.name and str(data["hash"]) == training_hash():
                    model = (data["coef"], data["intercept"])
        except (OSError, KeyError, ValueError):
            model = None
        _CLASSIFIERS[encoder.name] = model or train_classifier(encoder)
    return _CLASSIFIERS[encoder.name]


def write_classifier(encoder) -> Path:
    coef, intercept = train_classifier(encoder)
    np.savez(
        CLASSIFIER_FILE,
        coef=coef,
        intercept=intercept,
        encoder=np.array(encoder.name),
        hash=np.array(training_hash()),
    )
    _CLASSIFIERS[encoder.name] = (coef, intercept)
    return CLASSIFIER_FILE


def classifier_probabilities(vectors: np.ndarray, encoder) -> np.ndarray:
    """(n, 20) sector probabilities of sentence vectors (softmax of the linear model)."""
    coef, intercept = _classifier(encoder)
    z = np.atleast_2d(vectors).astype(np.float32) @ coef.T + intercept
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def sector_scores(text: str, encoder=None, vector: np.ndarray | None = None) -> np.ndarray:
    """(20,) combined keyword + classifier scores in [0, 1] for one text.

    Half from multilingual keyword hits, half from the classifier's probabilities relative to
    its best sector (so the likeliest sector scores 0.5 from the classifier alone).
    """
    vec = None if encoder is None or vector is None else np.atleast_2d(vector)
    return sector_scores_many([text], encoder, vec)[0]


def sector_scores_many(
    texts: list[str], encoder=None, vectors: np.ndarray | None = None
) -> np.ndarray:
    """(n, 20) :func:`sector_scores` of many texts; ``vectors``: their sentence vectors from
    ``encoder``, when known."""
    kw = np.array([keyword_scores(t) for t in texts], dtype=np.float32).reshape(-1, len(SECTORS))
    if encoder is None or not len(texts):
        return kw
    vec = encoder.encode(list(texts)) if vectors is None else np.atleast_2d(vectors)
    prob = classifier_probabilities(vec, encoder)
    return (0.5 * kw + 0.5 * prob / prob.max(axis=1, keepdims=True)).astype(np.float32)


def infer_sectors(
    text: str, encoder=None, top: int = 3, threshold: float = 0.3, vector: np.ndarray | None = None
) -> list[tuple[str, float]]:
    """Sectors of a free text: [(sector_id, score)], best first, at most ``top``.

    With ``encoder`` (use the multilingual one): the sector classifier on its vectors, always
    combined with multilingual keyword matching.
    """
    scores = sector_scores(text, encoder, vector)
    order = np.argsort(-scores)[:top]
    return [(SECTOR_IDS[i], round(float(scores[i]), 4)) for i in order if scores[i] >= threshold]
