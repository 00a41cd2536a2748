"""Demo and benchmark data in the import format (matchmaking/import_format.schema.json).

Pure Python, standard library only (no Django), so it can run anywhere:

* :func:`build_demo_event` -- the Smart City Expo Casablanca 2018, ~300 participants with
  French, English and Arabic profiles, ~250 meeting requests and ~30 pre-booked meetings.
* :func:`build_synthetic_event` -- the same format at any size, for benchmarks.

Both are deterministic for a given seed. Command line::

    python -m matchmaking.demo_data [--participants N] [--seed S] [-o FILE]
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import random
import sys
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from matchmaking.timegrid import session_slots
from ml.sector_phrases import SECTOR_PHRASES as _SECTOR_BANK

__all__ = ["SECTORS", "build_demo_event", "build_synthetic_event", "main"]

# --------------------------------------------------------------------------------------------
# Sectors (the phrase bank lives in ml.sector_phrases, shared with the sector classifier)
# --------------------------------------------------------------------------------------------

LANGS = ("fr", "en", "ar")


SECTORS: tuple[str, ...] = tuple(_SECTOR_BANK)

KINDS = (
    "exhibitor",
    "visitor",
    "delegation",
    "startup",
    "investor",
    "institution",
    "speaker",
    "media",
)
SUPPLY_KINDS = frozenset({"exhibitor", "startup"})
DEMAND_KINDS = frozenset({"delegation", "institution", "visitor", "investor"})

# Media have no sector offer; these short phrases stand in for offers/needs.
_MEDIA_OFFERS = {
    "fr": ["couverture éditoriale du salon", "interviews vidéo et podcasts"],
    "en": ["editorial coverage of the expo", "video interviews and podcasts"],
    "ar": ["تغطية إعلامية للمعرض", "مقابلات مصورة وبودكاست"],
}
_MEDIA_NEEDS = {
    "fr": ["entretiens avec des élus et des dirigeants", "retours d'expérience de projets"],
    "en": ["interviews with mayors and business leaders", "project case studies"],
    "ar": ["مقابلات مع المنتخبين والمسؤولين", "تجارب ناجحة لمشاريع ملموسة"],
}

# --------------------------------------------------------------------------------------------
# Sentence templates. Placeholders: {org} {city} {de_city} {sector} {years} {year} {a} {b}
# --------------------------------------------------------------------------------------------

_INTROS: dict[str, dict[str, list[str]]] = {
    "exhibitor": {
        "fr": [
            "{org} est une entreprise basée à {city}, spécialisée dans {sector}.",
            "Implantée à {city}, {org} conçoit et déploie des solutions pour {sector}.",
            "Depuis plus de {years} ans, {org} accompagne les collectivités dans {sector}.",
        ],
        "en": [
            "{org} is a {city}-based company specialising in {sector}.",
            "Headquartered in {city}, {org} designs and deploys solutions for {sector}.",
            "For more than {years} years, {org} has been helping cities with {sector}.",
        ],
        "ar": [
            "{org} شركة مقرها في {city}، متخصصة في مجال {sector}.",
            "تصمم {org} انطلاقا من {city} حلولا مبتكرة في مجال {sector} وتتولى تنفيذها.",
            "منذ أكثر من {years} سنة، ترافق {org} الجماعات الترابية في مجال {sector}.",
        ],
    },
    "startup": {
        "fr": [
            "{org} est une start-up fondée à {city} en {year} qui innove dans {sector}.",
            "Jeune pousse {de_city}, {org} développe des solutions numériques pour {sector}.",
        ],
        "en": [
            "{org} is a start-up founded in {city} in {year}, innovating in {sector}.",
            "A young company from {city}, {org} builds digital products for {sector}.",
        ],
        "ar": [
            "{org} مقاولة ناشئة تأسست في {city} سنة {year}، وتبتكر في مجال {sector}.",
            "تطور {org}، وهي مقاولة ناشئة من {city}، حلولا رقمية في مجال {sector}.",
        ],
    },
    "investor": {
        "fr": [
            "{org} est un fonds d'investissement basé à {city} qui investit dans {sector}.",
            "Investisseur installé à {city}, {org} accompagne les entreprises innovantes "
            "dans {sector}.",
        ],
        "en": [
            "{org} is an investment fund based in {city} that backs companies in {sector}.",
            "Based in {city}, {org} invests in growth-stage companies working on {sector}.",
        ],
        "ar": [
            "{org} صندوق استثمار مقره في {city}، يستثمر في مشاريع مجال {sector}.",
            "انطلاقا من {city}، يدعم {org} المقاولات المبتكرة العاملة في مجال {sector}.",
        ],
    },
    "institution": {
        "fr": [
            "{org} est un organisme public basé à {city}, engagé dans {sector}.",
            "Établissement public implanté à {city}, {org} pilote des programmes nationaux "
            "pour {sector}.",
        ],
        "en": [
            "{org} is a public body based in {city}, working on {sector}.",
            "Based in {city}, {org} runs national programmes for {sector}.",
        ],
        "ar": [
            "{org} مؤسسة عمومية مقرها في {city}، تعمل في مجال {sector}.",
            "تشرف {org}، انطلاقا من {city}، على برامج وطنية في مجال {sector}.",
        ],
    },
    "speaker": {
        "fr": [
            "Je représente {org} ({city}) au congrès, où j'interviendrai sur {sector}.",
            "Je travaille chez {org} à {city} et j'anime une table ronde consacrée "
            "à la ville intelligente, en particulier pour {sector}.",
        ],
        "en": [
            "As a conference speaker, I will share the experience of {org} ({city}) in {sector}.",
            "I work at {org} in {city} and will moderate a panel on smart cities, "
            "with a focus on {sector}.",
        ],
        "ar": [
            "أشارك في المؤتمر بمداخلة حول تجربة {org} في مجال {sector}.",
            "أعمل لدى {org} في {city}، وأسير جلسة نقاش حول المدن الذكية مع التركيز "
            "على مجال {sector}.",
        ],
    },
    "media": {
        "fr": [
            "Je couvre l'actualité de la ville intelligente pour {org} ({city}) et suis "
            "de près les innovations dans {sector}.",
            "{org} est un média basé à {city} qui consacre une rubrique hebdomadaire "
            "aux villes de demain.",
        ],
        "en": [
            "I cover smart city news for {org} ({city}) and follow innovation in {sector} closely.",
            "{org} is a {city}-based outlet with a weekly section on the cities of tomorrow.",
        ],
        "ar": [
            "أغطي أخبار المدن الذكية لفائدة {org} في {city}، وأتابع عن كثب الابتكارات "
            "في مجال {sector}.",
            "{org} منبر إعلامي مقره في {city}، يخصص ركنا أسبوعيا لمدن المستقبل.",
        ],
    },
    "visitor": {
        "fr": [
            "Je travaille chez {org} à {city} et je m'intéresse aux solutions pour {sector}.",
            "En visite au salon pour {org}, je cherche des solutions concrètes pour {sector}.",
        ],
        "en": [
            "I work for {org} in {city} and I am looking at solutions for {sector}.",
            "Visiting the expo for {org}, I am looking for practical solutions in {sector}.",
        ],
        "ar": [
            "أعمل لدى {org} في {city}، وأبحث عن حلول في مجال {sector}.",
            "أزور المعرض باسم {org} بحثا عن حلول عملية في مجال {sector}.",
        ],
    },
    "delegation": {
        "fr": [
            "La délégation {de_city} participe au salon pour rencontrer des partenaires "
            "dans {sector}.",
            "Pour la délégation {de_city}, je pilote les projets de la ville dans {sector}.",
            "Membre de la délégation {de_city}, j'ai la charge des projets de ville "
            "intelligente, notamment dans {sector}.",
        ],
        "en": [
            "The {city} delegation is attending the expo to meet partners in {sector}.",
            "At {org}, I lead the city's projects in {sector}.",
            "As a member of the {city} delegation, I am in charge of smart city projects, "
            "especially in {sector}.",
        ],
        "ar": [
            "يشارك وفد مدينة {city} في المعرض بهدف لقاء شركاء في مجال {sector}.",
            "أتولى داخل {org} تتبع مشاريع المدينة في مجال {sector}.",
            "بصفتي عضوا في وفد مدينة {city}، أتابع مشاريع المدينة الذكية، خاصة في مجال {sector}.",
        ],
    },
}

_OFFER_SENTENCES = {
    "fr": [
        "Notre offre comprend notamment : {a} et {b}.",
        "Nos domaines d'expertise : {a}, ainsi que {b}.",
        "Nous proposons aux villes des solutions clés en main : {a} et {b}.",
    ],
    "en": [
        "Our portfolio includes {a} and {b}.",
        "Our areas of expertise: {a}, as well as {b}.",
        "We offer cities turnkey solutions: {a} and {b}.",
    ],
    "ar": [
        "يشمل عرضنا على الخصوص: {a} و{b}.",
        "مجالات خبرتنا: {a}، إضافة إلى {b}.",
        "نقترح على المدن حلولا متكاملة تشمل {a} و{b}.",
    ],
}
_OFFER_SENTENCES_ONE = {
    "fr": ["Notre cœur de métier : {a}.", "Nous apportons notre savoir-faire en {a}."],
    "en": ["Our core business: {a}.", "We bring hands-on expertise in {a}."],
    "ar": ["تخصصنا الأساسي: {a}.", "نضع رهن إشارتكم خبرتنا في {a}."],
}
_EXPERTISE_SENTENCES = {
    "fr": ["Mes domaines d'expertise : {a} et {b}.", "Mes travaux portent sur : {a}, {b}."],
    "en": ["My areas of expertise: {a} and {b}.", "My work focuses on {a} and {b}."],
    "ar": ["مجالات خبرتي: {a} و{b}.", "تتمحور أعمالي حول {a} و{b}."],
}
_EXPERTISE_SENTENCES_ONE = {
    "fr": ["Mon domaine d'expertise : {a}."],
    "en": ["My area of expertise: {a}."],
    "ar": ["مجال خبرتي: {a}."],
}
_SHARE_SENTENCES = {  # public bodies "offer" experience rather than products
    "fr": [
        "Nous partageons volontiers notre expérience : {a}.",
        "Nous pouvons apporter notre retour d'expérience : {a}.",
    ],
    "en": [
        "We are happy to share our experience with {a}.",
        "We can share lessons learned from {a}.",
    ],
    "ar": ["يسعدنا تقاسم تجربتنا في {a}.", "يمكننا تقاسم الدروس المستفادة من {a}."],
}
_MEDIA_SENTENCES = {
    "fr": ["Ce que je propose aux exposants : {a} et {b}."],
    "en": ["What I can offer exhibitors: {a} and {b}."],
    "ar": ["أقترح على العارضين: {a} و{b}."],
}
_MEDIA_SENTENCES_ONE = {
    "fr": ["Ce que je propose aux exposants : {a}."],
    "en": ["What I can offer exhibitors: {a}."],
    "ar": ["أقترح على العارضين: {a}."],
}
_NEED_SENTENCES = {
    "fr": [
        "Nos priorités pour les prochaines années : {a} et {b}.",
        "Nous recherchons des partenaires sur les sujets suivants : {a}, {b}.",
        "Projets en préparation : {a} et {b}.",
    ],
    "en": [
        "Our priorities for the coming years: {a} and {b}.",
        "We are looking for partners on the following topics: {a}, {b}.",
        "Projects in preparation: {a} and {b}.",
    ],
    "ar": [
        "أولوياتنا في السنوات المقبلة: {a} و{b}.",
        "نبحث عن شركاء في المواضيع التالية: {a}، {b}.",
        "من بين المشاريع التي نعدها حاليا: {a} و{b}.",
    ],
}
_NEED_SENTENCES_ONE = {
    "fr": ["Notre priorité du moment : {a}.", "Nous cherchons des solutions éprouvées : {a}."],
    "en": ["Our current priority: {a}.", "We are looking for proven solutions: {a}."],
    "ar": ["أولويتنا الحالية: {a}.", "نبحث عن حلول مجربة في موضوع: {a}."],
}

_CLOSERS: dict[str, dict[str, list[str]]] = {
    "supply": {
        "fr": [
            "Nous souhaitons rencontrer des villes marocaines et africaines pour lancer "
            "des projets pilotes.",
            "Nous disposons déjà de références au Maroc, en Afrique de l'Ouest et en Europe.",
            "Notre objectif à Casablanca : nouer des partenariats durables avec les "
            "collectivités et les intégrateurs.",
            "Venez découvrir nos démonstrations sur notre stand.",
        ],
        "en": [
            "We would like to meet Moroccan and African cities to launch pilot projects.",
            "We already have references in Morocco, West Africa and Europe.",
            "Our goal in Casablanca: building lasting partnerships with cities and "
            "system integrators.",
            "Come and see our live demonstrations at our stand.",
        ],
        "ar": [
            "نرغب في لقاء مدن مغربية وإفريقية لإطلاق مشاريع نموذجية.",
            "لدينا مراجع في المغرب وإفريقيا الغربية وأوروبا.",
            "هدفنا في الدار البيضاء بناء شراكات دائمة مع الجماعات الترابية والمندمجين.",
            "ندعوكم لاكتشاف عروضنا التطبيقية في رواقنا.",
        ],
    },
    "demand": {
        "fr": [
            "Nous souhaitons rencontrer des entreprises et des start-ups qui proposent "
            "des solutions éprouvées.",
            "Des appels d'offres sont prévus au cours des douze prochains mois.",
            "Nous sommes également ouverts aux échanges d'expérience avec d'autres villes.",
            "Le financement peut être mobilisé dans le cadre d'un partenariat public-privé.",
        ],
        "en": [
            "We want to meet companies and start-ups with proven solutions.",
            "Calls for tenders are planned over the next twelve months.",
            "We are also keen to exchange experience with other cities.",
            "Funding can be arranged through a public-private partnership.",
        ],
        "ar": [
            "نرحب بلقاء الشركات والمقاولات الناشئة التي تقترح حلولا مجربة.",
            "من المرتقب إطلاق طلبات عروض خلال الاثني عشر شهرا المقبلة.",
            "نتطلع أيضا إلى تبادل التجارب مع مدن أخرى.",
            "يمكن تعبئة التمويل في إطار شراكة بين القطاعين العام والخاص.",
        ],
    },
    "investor": {
        "fr": [
            "Nous cherchons des start-ups en phase d'amorçage ou de croissance.",
            "Nos tickets vont de 500 000 à 5 millions de dirhams.",
            "Nous co-investissons volontiers avec des fonds africains et européens.",
        ],
        "en": [
            "We are looking for seed and growth-stage start-ups.",
            "Our tickets range from 50,000 to 500,000 euros.",
            "We are happy to co-invest alongside African and European funds.",
        ],
        "ar": [
            "نبحث عن مقاولات ناشئة في مرحلة الانطلاق أو النمو.",
            "تتراوح قيمة استثماراتنا بين 500 ألف و5 ملايين درهم.",
            "نرحب بالاستثمار المشترك مع صناديق إفريقية وأوروبية.",
        ],
    },
    "other": {
        "fr": [
            "Au plaisir d'échanger avec les exposants et les délégations.",
            "Les retours d'expérience concrets m'intéressent tout particulièrement.",
            "Disponible pour des rencontres pendant les trois jours du salon.",
        ],
        "en": [
            "I look forward to talking with exhibitors and city delegations.",
            "I am particularly interested in concrete project experience.",
            "Available for meetings throughout the three days of the expo.",
        ],
        "ar": [
            "يسعدني تبادل الآراء مع العارضين والوفود.",
            "تهمني بشكل خاص التجارب الملموسة والمشاريع الناجحة.",
            "يمكن ترتيب لقاءات معي طيلة أيام المعرض الثلاثة.",
        ],
    },
}
_CLOSER_GROUP = {
    "exhibitor": "supply",
    "startup": "supply",
    "delegation": "demand",
    "institution": "demand",
    "investor": "investor",
    "visitor": "other",
    "speaker": "other",
    "media": "other",
}

_TITLES: dict[str, dict[str, list[str]]] = {
    "exhibitor": {
        "fr": ["Directeur commercial", "Responsable grands comptes", "Responsable Afrique"],
        "en": ["Sales Director", "Business Development Manager", "Head of Africa"],
        "ar": ["المدير التجاري", "مسؤول تطوير الأعمال", "مدير الشراكات"],
    },
    "startup": {
        "fr": ["Fondateur et PDG", "Cofondateur", "Directeur technique"],
        "en": ["Founder & CEO", "Co-founder", "CTO"],
        "ar": ["المؤسس والرئيس التنفيذي", "شريك مؤسس", "المدير التقني"],
    },
    "investor": {
        "fr": ["Directeur d'investissement", "Associé gérant", "Chargé d'affaires"],
        "en": ["Investment Director", "Partner", "Investment Associate"],
        "ar": ["مدير الاستثمار", "شريك", "مكلف بالاستثمارات"],
    },
    "institution": {
        "fr": ["Directeur de programme", "Chef de projet", "Responsable de mission"],
        "en": ["Programme Director", "Project Manager", "Policy Officer"],
        "ar": ["مدير البرنامج", "رئيس المشروع", "مكلف بمهمة"],
    },
    "speaker": {
        "fr": ["Professeur", "Enseignant-chercheur", "Consultant senior"],
        "en": ["Professor", "Researcher", "Senior Consultant"],
        "ar": ["أستاذ جامعي", "باحث", "مستشار أول"],
    },
    "media": {
        "fr": ["Journaliste", "Rédacteur en chef", "Reporter"],
        "en": ["Journalist", "Editor-in-Chief", "Reporter"],
        "ar": ["صحفي", "رئيس التحرير", "مراسل"],
    },
    "visitor": {
        "fr": ["Ingénieur", "Consultant", "Chef de projet"],
        "en": ["Engineer", "Consultant", "Project Manager"],
        "ar": ["مهندس", "مستشار", "رئيس مشروع"],
    },
    "delegation": {
        "fr": [
            "Maire",
            "Adjoint au maire",
            "Directeur des services techniques",
            "Conseiller municipal",
        ],
        "en": ["Mayor", "Deputy Mayor", "Chief Technology Officer", "City Councillor"],
        "ar": ["رئيس الجماعة", "نائب الرئيس", "مدير المصالح التقنية", "مستشار جماعي"],
    },
}

_MESSAGES = {
    "fr": [
        "Bonjour, votre solution nous intéresse pour un projet pilote. Pouvons-nous "
        "nous rencontrer ?",
        "Nous préparons un appel d'offres sur ce sujet et aimerions échanger avec vous.",
        "Ravi de vous rencontrer pendant le salon pour discuter d'une collaboration.",
        "Pourriez-vous nous présenter vos références en Afrique ?",
    ],
    "en": [
        "Hello, we are interested in your solution for a pilot project. Could we meet?",
        "We are preparing a tender on this topic and would like to talk to you.",
        "It would be great to meet during the expo to discuss working together.",
        "Could you walk us through your references in Africa?",
    ],
    "ar": [
        "السلام عليكم، نهتم بحلكم في إطار مشروع نموذجي. هل يمكننا اللقاء؟",
        "نعد طلب عروض في هذا الموضوع ونرغب في التحدث إليكم.",
        "يسعدنا لقاؤكم خلال المعرض لمناقشة إمكانيات التعاون.",
        "هل يمكنكم تقديم مراجعكم في إفريقيا؟",
    ],
}

# --------------------------------------------------------------------------------------------
# Places and people
# --------------------------------------------------------------------------------------------

_CITY_AR = {
    "Casablanca": "الدار البيضاء",
    "Rabat": "الرباط",
    "Marrakech": "مراكش",
    "Tanger": "طنجة",
    "Fès": "فاس",
    "Agadir": "أكادير",
    "Oujda": "وجدة",
    "Kénitra": "القنيطرة",
    "Meknès": "مكناس",
    "Tétouan": "تطوان",
    "El Jadida": "الجديدة",
    "Dakar": "داكار",
    "Abidjan": "أبيدجان",
    "Kigali": "كيغالي",
    "Lagos": "لاغوس",
    "Tunis": "تونس",
    "Sfax": "صفاقس",
    "Nairobi": "نيروبي",
    "Nouakchott": "نواكشوط",
    "Accra": "أكرا",
    "Alger": "الجزائر",
    "Barcelona": "برشلونة",
    "Madrid": "مدريد",
    "Lyon": "ليون",
    "Paris": "باريس",
    "Lisbon": "لشبونة",
    "Bordeaux": "بوردو",
    "Montpellier": "مونبلييه",
    "Berlin": "برلين",
    "London": "لندن",
    "Shanghai": "شنغهاي",
    "Shenzhen": "شنتشن",
    "Hangzhou": "هانغتشو",
    "Beijing": "بكين",
    "Seoul": "سيول",
}

_CITY_NAMES: dict[str, dict[str, str]] = {
    "ar": _CITY_AR,
    "fr": {"Barcelona": "Barcelone", "Lisbon": "Lisbonne", "London": "Londres",
           "Beijing": "Pékin", "Seoul": "Séoul", "Shanghai": "Shanghai"},
    "en": {"Tanger": "Tangier", "Fès": "Fez", "Meknès": "Meknes", "Kénitra": "Kenitra",
           "Tétouan": "Tetouan", "Alger": "Algiers"},
}  # fmt: skip

# Region -> name banks, (country, cities), profile-language weights (fr, en, ar),
# spoken languages (always, optional with probability).
# fmt: off
_REGIONS: dict[str, dict[str, Any]] = {
    "MA": {
        "first": [
            "Youssef", "Mohamed", "Amine", "Karim", "Hamza", "Mehdi", "Omar", "Rachid", "Hicham",
            "Anas", "Ayoub", "Driss", "Fatima Zahra", "Salma", "Khadija", "Nadia", "Meryem",
            "Imane", "Asmae", "Ghita", "Houda", "Sanaa", "Laila", "Zineb",
        ],
        "last": [
            "El Amrani", "Benjelloun", "Alaoui", "Bennani", "Tazi", "Idrissi", "Berrada", "Chraibi",
            "El Fassi", "Lahlou", "Ouazzani", "Benkirane", "Sqalli", "El Mansouri", "Bouzidi",
            "Naciri", "Kettani", "Filali", "Ziani", "Cherkaoui", "Lamrani", "Amrani", "El Ouafi",
            "Benslimane",
        ],
        "country": "MA",
        "cities": ["Casablanca", "Rabat", "Marrakech", "Tanger", "Fès", "Agadir", "Kénitra"],
        "profile": (0.38, 0.21, 0.41),
        "languages": (["fr", "ar"], [("en", 0.55)]),
    },
    "TN": {
        "first": ["Sami", "Amel", "Walid", "Ines", "Nabil", "Leila", "Mourad", "Sonia"],
        "last": ["Trabelsi", "Jaziri", "Mejri", "Gharbi", "Hamdi", "Saidi", "Ben Salem"],
        "country": "TN",
        "cities": ["Tunis", "Sfax"],
        "profile": (0.5, 0.15, 0.35),
        "languages": (["ar", "fr"], [("en", 0.6)]),
    },
    "FR": {
        "first": [
            "Julien", "Camille", "Thomas", "Sophie", "Nicolas", "Claire", "Antoine", "Élodie",
            "Pierre", "Marie", "Laurent", "Isabelle",
        ],
        "last": [
            "Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Garnier", "Rousseau", "Fontaine",
            "Chevalier", "Girard", "Mercier", "Roux",
        ],
        "country": "FR",
        "cities": ["Paris", "Lyon", "Bordeaux", "Montpellier"],
        "profile": (0.85, 0.15, 0.0),
        "languages": (["fr"], [("en", 0.8)]),
    },
    "ES": {
        "first": ["Javier", "Laura", "Carlos", "Marta", "Jordi", "Núria", "Pablo", "Elena"],
        "last": ["García", "Martínez", "Puig", "Ferrer", "López", "Serra", "Vidal", "Soler"],
        "country": "ES",
        "cities": ["Barcelona", "Madrid"],
        "profile": (0.3, 0.7, 0.0),
        "languages": (["es", "en"], [("ca", 0.3)]),
    },
    "PT": {
        "first": ["João", "Ana", "Miguel", "Inês", "Rui", "Catarina"],
        "last": ["Silva", "Santos", "Ferreira", "Costa", "Oliveira", "Pereira"],
        "country": "PT",
        "cities": ["Lisbon"],
        "profile": (0.3, 0.7, 0.0),
        "languages": (["pt", "en"], [("fr", 0.3)]),
    },
    "DE": {
        "first": ["Stefan", "Anna", "Lukas", "Katrin", "Jan", "Sabine"],
        "last": ["Müller", "Schmidt", "Weber", "Fischer", "Becker", "Wagner"],
        "country": "DE",
        "cities": ["Berlin"],
        "profile": (0.1, 0.9, 0.0),
        "languages": (["de", "en"], []),
    },
    "GB": {
        "first": ["James", "Emily", "David", "Sarah", "Oliver", "Hannah"],
        "last": ["Smith", "Taylor", "Brown", "Walker", "Hughes", "Clarke"],
        "country": "GB",
        "cities": ["London"],
        "profile": (0.0, 1.0, 0.0),
        "languages": (["en"], [("fr", 0.2)]),
    },
    "SN": {
        "first": ["Mamadou", "Aïssatou", "Ousmane", "Fatou", "Cheikh", "Awa", "Ibrahima"],
        "last": ["Diop", "Ndiaye", "Fall", "Sow", "Ba", "Diallo", "Gueye"],
        "country": "SN",
        "cities": ["Dakar"],
        "profile": (0.9, 0.1, 0.0),
        "languages": (["fr", "wo"], [("en", 0.4)]),
    },
    "CI": {
        "first": ["Koffi", "Adjoua", "Yao", "Aminata", "Serge", "Mariam", "Didier"],
        "last": ["Kouassi", "Koné", "Traoré", "Touré", "Bamba", "Coulibaly", "Yao"],
        "country": "CI",
        "cities": ["Abidjan"],
        "profile": (0.9, 0.1, 0.0),
        "languages": (["fr"], [("en", 0.4)]),
    },
    "RW": {
        "first": ["Jean-Paul", "Claudine", "Eric", "Grace", "Patrick", "Diane"],
        "last": ["Mugisha", "Uwimana", "Habimana", "Niyonzima", "Mukamana", "Nkurunziza"],
        "country": "RW",
        "cities": ["Kigali"],
        "profile": (0.3, 0.7, 0.0),
        "languages": (["rw", "en", "fr"], []),
    },
    "NG": {
        "first": ["Chinedu", "Ngozi", "Oluwaseun", "Amaka", "Tunde", "Funke"],
        "last": ["Okafor", "Adeyemi", "Balogun", "Okonkwo", "Eze", "Bello"],
        "country": "NG",
        "cities": ["Lagos"],
        "profile": (0.0, 1.0, 0.0),
        "languages": (["en"], [("yo", 0.4)]),
    },
    "KE": {
        "first": ["Wanjiru", "Kamau", "Otieno", "Akinyi", "Njeri", "Kiprono"],
        "last": ["Mwangi", "Kariuki", "Odhiambo", "Wekesa", "Chege", "Kiplagat"],
        "country": "KE",
        "cities": ["Nairobi"],
        "profile": (0.0, 1.0, 0.0),
        "languages": (["en", "sw"], []),
    },
    "GH": {
        "first": ["Kwame", "Ama", "Kofi", "Abena", "Yaw", "Efua"],
        "last": ["Mensah", "Boateng", "Owusu", "Asante", "Addo", "Ofori"],
        "country": "GH",
        "cities": ["Accra"],
        "profile": (0.0, 1.0, 0.0),
        "languages": (["en"], [("fr", 0.2)]),
    },
    "MR": {
        "first": ["Mohamed Lemine", "Mariem", "Sidi", "Aicha", "Ahmed Salem"],
        "last": ["Ould Cheikh", "Mint Ahmed", "Ould Brahim", "Ould Sidi", "Mint Mohamed"],
        "country": "MR",
        "cities": ["Nouakchott"],
        "profile": (0.4, 0.0, 0.6),
        "languages": (["ar", "fr"], []),
    },
    "CN": {
        "first": ["Wei", "Jing", "Hao", "Min", "Xiaoling", "Jun", "Yan", "Lei", "Fang", "Zhiwei"],
        "last": ["Zhang", "Wang", "Li", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"],
        "country": "CN",
        "cities": ["Shanghai", "Shenzhen", "Hangzhou", "Beijing"],
        "profile": (0.0, 1.0, 0.0),
        "languages": (["zh", "en"], []),
    },
    "KR": {
        "first": ["Minjun", "Seoyeon", "Jiho", "Hana"],
        "last": ["Kim", "Lee", "Park", "Choi"],
        "country": "KR",
        "cities": ["Seoul"],
        "profile": (0.0, 1.0, 0.0),
        "languages": (["ko", "en"], []),
    },
}
# fmt: on

# Region weights for organisations that are not city delegations.
_ORG_REGION_WEIGHTS = {
    "MA": 58, "FR": 10, "ES": 4, "PT": 2, "DE": 3, "GB": 2, "TN": 4, "SN": 3, "CI": 3,
    "RW": 1, "NG": 2, "KE": 1, "GH": 1, "CN": 5, "KR": 1,
}  # fmt: skip

# City delegations: (city, region, organisation string shared by all members, members)
_DELEGATIONS: list[tuple[str, str, str, int]] = [
    ("Shanghai", "CN", "Shanghai Municipal Government (Guest of Honour)", 9),
    ("Casablanca", "MA", "Commune de Casablanca", 6),
    ("Rabat", "MA", "Commune de Rabat", 4),
    ("Marrakech", "MA", "Commune de Marrakech", 4),
    ("Tanger", "MA", "Commune de Tanger", 4),
    ("Fès", "MA", "Commune de Fès", 3),
    ("Agadir", "MA", "Commune d'Agadir", 3),
    ("Oujda", "MA", "Commune d'Oujda", 3),
    ("Meknès", "MA", "Commune de Meknès", 2),
    ("Tétouan", "MA", "Commune de Tétouan", 2),
    ("El Jadida", "MA", "Commune d'El Jadida", 2),
    ("Kénitra", "MA", "Commune de Kénitra", 2),
    ("Dakar", "SN", "Ville de Dakar", 3),
    ("Abidjan", "CI", "District Autonome d'Abidjan", 3),
    ("Kigali", "RW", "City of Kigali", 3),
    ("Lagos", "NG", "Lagos State Government", 2),
    ("Tunis", "TN", "Municipalité de Tunis", 3),
    ("Nairobi", "KE", "Nairobi City County", 2),
    ("Nouakchott", "MR", "Région de Nouakchott", 2),
    ("Accra", "GH", "Accra Metropolitan Assembly", 2),
    ("Barcelona", "ES", "Ajuntament de Barcelona", 3),
    ("Lyon", "FR", "Métropole de Lyon", 3),
    ("Lisbon", "PT", "Câmara Municipal de Lisboa", 2),
    ("Bordeaux", "FR", "Bordeaux Métropole", 2),
    ("Montpellier", "FR", "Montpellier Méditerranée Métropole", 2),
    ("Shenzhen", "CN", "Shenzhen Municipal Delegation", 3),
    ("Hangzhou", "CN", "Hangzhou Municipal Delegation", 3),
]

_COMPANY_PREFIXES = [
    "Atlas", "Maghreb", "Medina", "Sahara", "Anfa", "Oasis", "Argan", "Zenata", "Bouregreg",
    "Tensift", "Noor", "Smart", "Urban", "Civic", "Green", "Blue", "Nova", "Cedar", "Delta",
    "Orion", "Helios", "Terra", "Aqua", "Lumen", "Vertex", "Mosaic", "Horizon", "Kasbah",
]  # fmt: skip
_COMPANY_SUFFIXES = [
    "Systems", "Technologies", "Solutions", "Mobility", "Energies", "Digital", "Networks",
    "Labs", "Services", "Engineering", "Data", "Infra", "Lighting", "Water", "Analytics",
]  # fmt: skip
_COMPANY_FORMS = {
    "MA": ["SARL", "SA", ""], "FR": ["SAS", "SA", ""], "ES": ["S.L.", ""], "PT": ["Lda", ""],
    "DE": ["GmbH", "AG"], "GB": ["Ltd", ""], "CN": ["Co., Ltd."], "KR": ["Co."],
}  # fmt: skip
_STARTUP_NAMES = [
    "Parkly", "Wattnow", "Qawafil", "Dropin", "Sensi", "Bikeo", "Madinati", "Trashr",
    "Aquaflow", "Citizeny", "Dalil", "GeoLab", "Tramly", "Sahla", "Lumio", "Kharita",
    "Chargy", "Safeway", "Mwasalat", "Healthy", "EduTech", "Nadafa", "Ma3louma", "Fleetly",
    "Solary", "Hayy", "Routini", "Baladiya", "Mawqif", "Riyah", "Greenbox", "Tawasol",
]  # fmt: skip
_INVESTOR_NAMES = [
    "Atlas Ventures", "Maghreb Impact Capital", "Casablanca Seed Fund", "Afric Infra Partners",
    "Sahel Growth Equity", "Mediterranean Cities Fund", "Silk Road Urban Capital",
    "Green Horizon Investments", "Anfa Angels", "Teranga Capital", "Kigali Innovation Fund",
    "Euro-Africa Smart Infra", "Noor Climate Fund", "Orion Tech Partners",
]  # fmt: skip
_INSTITUTION_NAMES = [
    "Agence Nationale de Développement Numérique", "Agence Urbaine de Casablanca",
    "Office Régional de l'Eau et de l'Électricité", "Ministère de l'Intérieur - DGCT",
    "Agence Marocaine pour l'Efficacité Énergétique", "Société de Développement Local Casa "
    "Transports", "Fédération des Technologies de l'Information", "Université Hassan II",
    "Centre Régional d'Investissement Casablanca-Settat", "Banque Africaine de Développement",
    "Agence Française de Développement", "Union pour la Méditerranée",
]  # fmt: skip
_SPEAKER_ORGS = [
    "Université Mohammed VI Polytechnique", "École Hassan II des Travaux Publics",
    "Smart City Observatory", "World Urban Forum", "Institut des Villes Durables",
    "UN-Habitat", "Tongji University", "Universitat Politècnica de Catalunya",
]  # fmt: skip
_MEDIA_ORGS = [
    "Le Matin", "L'Économiste", "Médias24", "TelQuel", "Hespress", "Jeune Afrique",
    "Smart Cities World", "Xinhua", "Africa Tech Review", "2M",
]  # fmt: skip
_VISITOR_ORGS = [
    "Bureau d'études Ingéma", "Cabinet Conseil Anfa", "Groupe OCP", "Lydec", "Alstom Maroc",
    "Renault Maroc", "Marsa Maroc", "Cluster Solaire", "Cap Digital", "Technopark Casablanca",
    "Royal Air Maroc", "Inwi", "Orange Business Services", "Capgemini Maroc",
]  # fmt: skip

EVENT_SLUG = "smart-city-expo-casablanca-2018"
EVENT_DATES = ("2018-04-18", "2018-04-19", "2018-04-20")
SESSIONS = (("09:30", "12:30", "Morning"), ("14:00", "18:00", "Afternoon"))
BREAKS = (("11:00", "11:15", "Coffee break"),)
SLOT_MINUTES = 20


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _ascii_slug(text: str, sep: str = "") -> str:
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = []
    for ch in norm.lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != sep and sep:
            out.append(sep)
    return "".join(out).strip(sep) if sep else "".join(out)


def _de(city: str) -> str:
    """French 'de' with elision: 'de Rabat', "d'Agadir"."""
    first = unicodedata.normalize("NFKD", city)[0].lower()
    return f"d'{city}" if first in "aeiouyh" and city not in {"Hangzhou"} else f"de {city}"


def _pick_weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _hhmm(t: str) -> dt.time:
    h, m = t.split(":")
    return dt.time(int(h), int(m))


def _iso(d: dt.datetime) -> str:
    return d.isoformat(timespec="seconds")


def slot_starts(
    dates: list[str] | tuple[str, ...],
    sessions: tuple[tuple[str, str, str], ...] = SESSIONS,
    breaks: tuple[tuple[str, str, str], ...] = BREAKS,
    slot_minutes: int = SLOT_MINUTES,
) -> list[dt.datetime]:
    """Naive slot start times: inside a session, never overlapping a break (slots restart at
    the end of a break)."""
    out: list[dt.datetime] = []
    for day in dates:
        d = dt.date.fromisoformat(day)
        brk = [(_hhmm(s), _hhmm(e)) for s, e, _ in breaks]
        for s, e, _ in sessions:
            cells = session_slots(
                day=d, start=_hhmm(s), end=_hhmm(e), minutes=slot_minutes, breaks=brk
            )
            out += [dt.datetime.combine(d, start) for start, _ in cells]
    return out


def _event_block(
    slug: str,
    name: str,
    dates: list[str] | tuple[str, ...],
    tables: int | list[dict[str, str]],
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "slug": slug,
        "name": name,
        "timezone": "Africa/Casablanca",
        "slot_minutes": SLOT_MINUTES,
        "tables": tables,
    }
    event.update(extra)
    event["days"] = [
        {
            "date": day,
            "sessions": [{"start": s, "end": e, "name": n} for s, e, n in SESSIONS],
            "breaks": [{"start": s, "end": e, "name": n} for s, e, n in BREAKS],
        }
        for day in dates
    ]
    return event


# --------------------------------------------------------------------------------------------
# Participant generation
# --------------------------------------------------------------------------------------------


@dataclass
class _Org:
    name: str
    kind: str
    region: str
    city: str
    sectors: list[str]  # the organisation's focus sectors
    domain: str
    booth: str | None = None
    years: int = 10
    year: int = 2016


@dataclass
class _Person:
    ref: str
    org: _Org
    lang: str
    offer_sectors: list[str] = field(default_factory=list)
    need_sectors: list[str] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)


class _PeopleFactory:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.emails: set[str] = set()
        self.names: set[str] = set()
        self.count = 0
        self.unique_names = True

    def _ref(self) -> str:
        self.count += 1
        return f"p{self.count:03d}"

    def _name(self, region: str) -> tuple[str, str]:
        reg = _REGIONS[region]
        for _ in range(50 if self.unique_names else 1):
            first, last = self.rng.choice(reg["first"]), self.rng.choice(reg["last"])
            if f"{first} {last}" not in self.names:
                break
        self.names.add(f"{first} {last}")
        return first, last

    def _email(self, first: str, last: str, domain: str) -> str:
        base = f"{_ascii_slug(first.split()[0])}.{_ascii_slug(last)}"
        email = f"{base}@{domain}"
        n = 2
        while email in self.emails:
            email = f"{base}{n}@{domain}"
            n += 1
        self.emails.add(email)
        return email

    def languages(self, region: str, lang: str) -> list[str]:
        always, optional = _REGIONS[region]["languages"]
        langs = list(always)
        for code, p in optional:
            if self.rng.random() < p:
                langs.append(code)
        if lang not in langs:
            langs.append(lang)
        return langs

    def person(
        self,
        org: _Org,
        kind: str,
        *,
        region: str | None = None,
        lang: str | None = None,
    ) -> _Person:
        rng = self.rng
        region = region or org.region
        reg = _REGIONS[region]
        if lang is None:
            lang = rng.choices(LANGS, weights=reg["profile"])[0]
        first, last = self._name(region)
        p = _Person(ref=self._ref(), org=org, lang=lang)
        sectors = list(org.sectors)
        rng.shuffle(sectors)
        mine = sorted(
            sectors[: rng.randint(min(2, len(sectors)), min(3, len(sectors)))], key=SECTORS.index
        )
        if kind in SUPPLY_KINDS or kind == "speaker":
            p.offer_sectors = mine
            if kind == "startup" and rng.random() < 0.6:
                p.need_sectors = ["finance"]
        elif kind == "investor":
            p.offer_sectors = ["finance"]
            p.need_sectors = [s for s in mine if s != "finance"] or ["data_platforms"]
        elif kind == "institution":
            p.need_sectors = mine
            if rng.random() < 0.4:
                p.offer_sectors = [rng.choice(["finance", "e_government", "education"])]
        elif kind == "media":
            p.need_sectors = mine[:1]
        else:  # delegation, visitor
            p.need_sectors = mine
            if kind == "delegation" and rng.random() < 0.25:
                p.offer_sectors = [rng.choice(["tourism", "urban_planning", "e_government"])]
        p.record = self._record(p, kind, first, last, region)
        return p

    def _phrases(
        self, sectors: list[str], key: str, lang: str, k: int, main: str | None
    ) -> list[str]:
        """k phrases; the first one or two come from the main sector (the one the
        description's opening sentence names) so the text stays coherent."""
        rng = self.rng
        if main not in sectors:
            main = sectors[0] if sectors else None
        if main is None:
            return []
        head = rng.sample(_SECTOR_BANK[main][key][lang], rng.randint(1, 2))
        tail = [ph for s in sectors if s != main for ph in _SECTOR_BANK[s][key][lang]]
        rng.shuffle(tail)
        rest = [ph for ph in _SECTOR_BANK[main][key][lang] if ph not in head]
        return (head + tail + rest)[:k]

    def _record(self, p: _Person, kind: str, first: str, last: str, region: str) -> dict[str, Any]:
        rng = self.rng
        lang, org = p.lang, p.org
        if kind in SUPPLY_KINDS or kind == "speaker":
            main_sector = rng.choice(p.offer_sectors)
        else:
            main_sector = rng.choice(p.need_sectors or p.offer_sectors or org.sectors)
        if kind == "media":
            offers = rng.sample(_MEDIA_OFFERS[lang], rng.randint(1, 2))
            needs = _MEDIA_NEEDS[lang][:1]
        else:
            offers = self._phrases(p.offer_sectors, "offers", lang, rng.randint(2, 4), main_sector)
            needs = self._phrases(p.need_sectors, "needs", lang, rng.randint(2, 4), main_sector)
            if kind in {"startup", "institution"} and len(offers) > 3:
                offers = offers[:3]
            if p.need_sectors == ["finance"]:
                needs = needs[:1]
            if not p.offer_sectors:
                offers = []
            if not p.need_sectors:
                needs = []
        city_txt = _CITY_NAMES[lang].get(org.city, org.city)
        ctx = {
            "org": org.name,
            "city": city_txt,
            "de_city": _de(city_txt),
            "sector": _SECTOR_BANK[main_sector]["label"][lang],
            "years": org.years,
            "year": org.year,
        }
        parts = [rng.choice(_INTROS[kind][lang]).format(**ctx)]
        two, one = {
            "speaker": (_EXPERTISE_SENTENCES, _EXPERTISE_SENTENCES_ONE),
            "media": (_MEDIA_SENTENCES, _MEDIA_SENTENCES_ONE),
            "delegation": (_SHARE_SENTENCES, _SHARE_SENTENCES),
            "institution": (_SHARE_SENTENCES, _SHARE_SENTENCES),
        }.get(kind, (_OFFER_SENTENCES, _OFFER_SENTENCES_ONE))
        if len(offers) >= 2:
            parts.append(rng.choice(two[lang]).format(a=offers[0], b=offers[1]))
        elif offers:
            parts.append(rng.choice(one[lang]).format(a=offers[0]))
        if len(needs) >= 2:
            parts.append(rng.choice(_NEED_SENTENCES[lang]).format(a=needs[0], b=needs[1]))
        elif needs:
            parts.append(rng.choice(_NEED_SENTENCES_ONE[lang]).format(a=needs[0]))
        parts.append(rng.choice(_CLOSERS[_CLOSER_GROUP[kind]][lang]))
        sep = " "
        description = sep.join(parts)

        record: dict[str, Any] = {
            "ref": p.ref,
            "name": f"{first} {last}",
            "email": self._email(first, last, org.domain),
            "organisation": org.name,
            "kind": kind,
            "languages": self.languages(region, lang),
            # "Mayor" (the first delegation title) is reserved for heads of delegation.
            "title": rng.choice(
                _TITLES[kind][lang][1:] if kind == "delegation" else _TITLES[kind][lang]
            ),
            "country": _REGIONS[region]["country"],
            "city": org.city,
            "description": description,
            "offers": offers,
            "needs": needs,
            "sectors": sorted(set(p.offer_sectors) | set(p.need_sectors), key=SECTORS.index),
        }
        if org.booth:
            record["fixed_table"] = org.booth
        return record


def _org_domain(name: str, country: str, used: set[str]) -> str:
    tld = {
        "MA": "ma",
        "FR": "fr",
        "ES": "es",
        "PT": "pt",
        "DE": "de",
        "GB": "co.uk",
        "CN": "cn",
        "SN": "sn",
        "CI": "ci",
        "TN": "tn",
        "RW": "rw",
        "NG": "ng",
        "KE": "ke",
        "GH": "gh",
        "MR": "mr",
        "KR": "kr",
    }.get(country, "com")
    forms = {f for fs in _COMPANY_FORMS.values() for f in fs if f}
    words = [w for w in name.replace("(", " ").replace(")", " ").split() if w not in forms]
    base = _ascii_slug(" ".join(words), "-")
    if len(base) > 22:  # long institutional names: use the acronym, as such bodies do
        base = "".join(_ascii_slug(w)[:1] for w in words if w[:1].isupper()) or base[:22]
    base = base.strip("-") or "org"
    domain = f"{base}.{tld}"
    n = 2
    while domain in used:
        domain = f"{base}{n}.{tld}"
        n += 1
    used.add(domain)
    return domain


def _random_sectors(rng: random.Random, k_min: int = 2, k_max: int = 4) -> list[str]:
    pool = [s for s in SECTORS if s != "finance"]
    return sorted(rng.sample(pool, rng.randint(k_min, k_max)), key=SECTORS.index)


# --------------------------------------------------------------------------------------------
# Requests and meetings
# --------------------------------------------------------------------------------------------


def _compatible(a: _Person, b: _Person) -> bool:
    """a needs what b offers (or the reverse)."""
    return bool(set(a.need_sectors) & set(b.offer_sectors)) or bool(
        set(b.need_sectors) & set(a.offer_sectors)
    )


def _allowed_pair(a: _Person, b: _Person) -> bool:
    if a.ref == b.ref or a.org.name == b.org.name:
        return False
    if a.record["kind"] != b.record["kind"]:
        return True
    if a.record["kind"] == "exhibitor":  # the importer's rule: both opted in (absent = no)
        return bool(a.record.get("accepts_same_kind") and b.record.get("accepts_same_kind"))
    return a.record.get("accepts_same_kind") is not False and (
        b.record.get("accepts_same_kind") is not False
    )


def _request_record(rng: random.Random, src: _Person, dst: _Person, status: str) -> dict[str, Any]:
    req: dict[str, Any] = {"from": src.ref, "to": dst.ref, "status": status}
    if rng.random() < 0.6:
        req["priority"] = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 3, 2])[0]
    if rng.random() < 0.3:
        req["session"] = rng.choice(["morning", "afternoon", "any"])
    if rng.random() < 0.5:
        req["message"] = rng.choice(_MESSAGES[src.lang])
    return req


def _parse_naive(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).replace(tzinfo=None)


def _available(record: dict[str, Any], start: dt.datetime, end: dt.datetime) -> bool:
    windows = record.get("availability")
    if not windows:
        return True
    return any(_parse_naive(w["start"]) <= start and end <= _parse_naive(w["end"]) for w in windows)


def _place_meetings(
    rng: random.Random,
    people: dict[str, _Person],
    requests: list[dict[str, Any]],
    lounges: list[str],
    dates: tuple[str, ...],
    target: int,
) -> list[dict[str, Any]]:
    slots = slot_starts(dates)
    step = dt.timedelta(minutes=SLOT_MINUTES)
    busy_people: set[tuple[str, dt.datetime]] = set()
    busy_tables: set[tuple[str, dt.datetime]] = set()
    n_meetings: dict[str, int] = {}
    meetings: list[dict[str, Any]] = []
    accepted = [r for r in requests if r["status"] == "accepted"]
    # Guest-of-honour meetings first, then the rest in random order.
    shanghai = _DELEGATIONS[0][2]
    rng.shuffle(accepted)
    accepted.sort(
        key=lambda r: shanghai not in (people[r["from"]].org.name, people[r["to"]].org.name)
    )
    for req in accepted:
        if len(meetings) >= target:
            break
        a, b = people[req["from"]], people[req["to"]]
        booths = [x for x in (a.record.get("fixed_table"), b.record.get("fixed_table")) if x]
        if len(booths) > 1:
            continue
        if any(n_meetings.get(p.ref, 0) >= p.record.get("max_meetings", 10**9) for p in (a, b)):
            continue
        session = req.get("session", "any")
        candidates = [
            s
            for s in slots
            if session == "any"
            or (session == "morning" and s.hour < 13)
            or (session == "afternoon" and s.hour >= 13)
        ]
        rng.shuffle(candidates)
        for start in candidates:
            if (a.ref, start) in busy_people or (b.ref, start) in busy_people:
                continue
            if not (
                _available(a.record, start, start + step)
                and _available(b.record, start, start + step)
            ):
                continue
            if booths:
                table = booths[0]
                if (table, start) in busy_tables:
                    continue
            else:
                free = [t for t in lounges if (t, start) not in busy_tables]
                if not free:
                    continue
                table = free[0]
            busy_people.update({(a.ref, start), (b.ref, start)})
            busy_tables.add((table, start))
            for p in (a, b):
                n_meetings[p.ref] = n_meetings.get(p.ref, 0) + 1
            meeting: dict[str, Any] = {
                "from": a.ref,
                "to": b.ref,
                "start": _iso(start),
                "table": table,
            }
            if shanghai in (a.org.name, b.org.name) or rng.random() < 0.2:
                meeting["fixed"] = True
            meetings.append(meeting)
            break
    meetings.sort(key=lambda m: (m["start"], m["table"]))
    return meetings


# --------------------------------------------------------------------------------------------
# The Smart City Expo Casablanca 2018
# --------------------------------------------------------------------------------------------


def _demo_orgs(rng: random.Random) -> list[tuple[_Org, str, int]]:
    """(organisation, kind, number of people) for every non-delegation organisation."""
    used_domains: set[str] = set()
    used_names: set[str] = set()
    out: list[tuple[_Org, str, int]] = []
    booth_numbers = [f"Booth {hall}{n:02d}" for hall in "ABCD" for n in range(1, 21)]
    rng.shuffle(booth_numbers)

    def region_pick() -> str:
        return _pick_weighted(rng, _ORG_REGION_WEIGHTS)

    def unique(name: str) -> str:
        base, n = name, 2
        while name in used_names:
            name = f"{base} {n}"
            n += 1
        used_names.add(name)
        return name

    def make(name: str, kind: str, region: str, booth: str | None, city: str | None = None):
        reg = _REGIONS[region]
        city = city or rng.choice(reg["cities"])
        name = unique(name)
        org = _Org(
            name=name,
            kind=kind,
            region=region,
            city=city,
            sectors=_random_sectors(rng),
            domain=_org_domain(name, reg["country"], used_domains),
            booth=booth,
            years=rng.choice([5, 8, 10, 12, 15, 20, 25]),
            year=rng.choice([2013, 2014, 2015, 2016, 2017]),
        )
        return org

    # Exhibitors: 38 companies, 1-3 people each, ~75% with a booth.
    combos = list(itertools.product(_COMPANY_PREFIXES, _COMPANY_SUFFIXES))
    rng.shuffle(combos)
    for i in range(40):
        region = region_pick()
        if region in {"SN", "CI", "RW", "NG", "KE", "GH", "TN"} and rng.random() < 0.6:
            region = "MA"
        prefix, suffix = combos[i]
        form = rng.choice(_COMPANY_FORMS.get(region, [""]))
        name = f"{prefix} {suffix}" + (f" {form}" if form else "")
        if region == "CN":
            name = f"{rng.choice(['Shanghai', 'Shenzhen', 'Hangzhou'])} {suffix} {form}"
        booth = booth_numbers.pop() if rng.random() < 0.75 else None
        org = make(name, "exhibitor", region, booth)
        if region == "CN" and name.split()[0] in _CITY_AR:
            org.city = name.split()[0]
        out.append((org, "exhibitor", rng.choice([1, 2, 2, 2, 3])))
    # Start-ups: most in the start-up village (booth "Booth S01".."S24").
    village = [f"Booth S{n:02d}" for n in range(1, 25)]
    for name in rng.sample(_STARTUP_NAMES, 26):
        region = rng.choices(
            ["MA", "TN", "SN", "CI", "NG", "KE", "FR", "RW"], weights=[70, 5, 5, 5, 4, 3, 5, 3]
        )[0]
        booth = village.pop(0) if village and rng.random() < 0.7 else None
        out.append((make(name, "startup", region, booth), "startup", rng.choice([1, 1, 2])))
    for name in _INVESTOR_NAMES:
        region = {
            "Teranga Capital": "SN",
            "Kigali Innovation Fund": "RW",
            "Silk Road Urban Capital": "CN",
            "Euro-Africa Smart Infra": "FR",
            "Sahel Growth Equity": "CI",
            "Mediterranean Cities Fund": "ES",
        }.get(name, "MA")
        out.append((make(name, "investor", region, None), "investor", rng.choice([1, 1, 2])))
    for name in _INSTITUTION_NAMES:
        region = {
            "Agence Française de Développement": "FR",
            "Union pour la Méditerranée": "ES",
            "Banque Africaine de Développement": "CI",
        }.get(name, "MA")
        city = "Casablanca" if "Casa" in name else None
        org = make(name, "institution", region, None, city)
        out.append((org, "institution", rng.choice([1, 2, 2])))
    for name in _SPEAKER_ORGS:
        region = {
            "Tongji University": "CN",
            "Universitat Politècnica de Catalunya": "ES",
            "UN-Habitat": "KE",
            "World Urban Forum": "GB",
            "Institut des Villes Durables": "FR",
        }.get(name, "MA")
        out.append((make(name, "speaker", region, None), "speaker", 2))
    for name in _MEDIA_ORGS:
        region = {
            "Jeune Afrique": "FR",
            "Smart Cities World": "GB",
            "Xinhua": "CN",
            "Africa Tech Review": "NG",
        }.get(name, "MA")
        out.append((make(name, "media", region, None), "media", 1))
    for name in _VISITOR_ORGS:
        region = {"Cap Digital": "FR", "Orange Business Services": "FR"}.get(name, "MA")
        out.append((make(name, "visitor", region, None), "visitor", rng.choice([2, 3, 3])))
    return out


def build_demo_event(seed: int = 2018) -> dict[str, Any]:
    """The Smart City Expo Casablanca 2018 (18-20 April 2018) in the import format."""
    rng = random.Random(seed)
    factory = _PeopleFactory(rng)
    people: list[_Person] = []
    used_domains: set[str] = set()

    # City delegations first (Shanghai, guest of honour, is p001...).
    delegation_orgs: list[_Org] = []
    for city, region, org_name, members in _DELEGATIONS:
        org = _Org(
            name=org_name,
            kind="delegation",
            region=region,
            city=city,
            sectors=_random_sectors(rng, 3, 5),
            domain=_org_domain(f"{city} city", _REGIONS[region]["country"], used_domains),
        )
        delegation_orgs.append(org)
        for i in range(members):
            p = factory.person(org, "delegation")
            if i == 0:  # the head of the delegation
                p.record["title"] = _TITLES["delegation"][p.lang][0]
            people.append(p)

    for org, kind, size in _demo_orgs(rng):
        for _ in range(size):
            people.append(factory.person(org, kind))

    # Per-kind extras: availability, max_meetings, accepts_same_kind.
    day_windows = [
        (f"{d}T09:30:00", f"{d}T18:00:00") for d in EVENT_DATES
    ]  # naive = event time zone
    for p in people:
        rec, kind = p.record, p.record["kind"]
        if kind == "speaker":
            day = rng.randrange(3)
            rec["availability"] = [{"start": day_windows[day][0], "end": day_windows[day][1]}]
        elif kind == "delegation" and p.org.region not in {"MA"} and rng.random() < 0.3:
            rec["availability"] = [{"start": day_windows[1][0], "end": day_windows[2][1]}]
        elif kind == "investor" and rng.random() < 0.5:
            rec["availability"] = [
                {"start": day_windows[0][0], "end": day_windows[0][1]},
                {"start": day_windows[1][0], "end": f"{EVENT_DATES[1]}T12:30:00"},
            ]
        if kind == "investor":
            rec["max_meetings"] = rng.choice([8, 10, 12, 15])
        elif kind == "media":
            rec["max_meetings"] = rng.choice([4, 5, 6])
        elif kind == "exhibitor" and rng.random() < 0.15:
            rec["max_meetings"] = rng.choice([15, 20, 25])
        if kind in {"exhibitor", "investor"} and rng.random() < 0.3:
            rec["accepts_same_kind"] = False
        elif kind == "delegation":
            rec["accepts_same_kind"] = True

    # ~10% without sectors so the service's sector inference can be demonstrated.
    for p in rng.sample(people, round(len(people) * 0.1)):
        p.record["sectors"] = []

    by_ref = {p.ref: p for p in people}
    requests = _demo_requests(rng, people)
    lounges = [f"Lounge {i:02d}" for i in range(1, 41)]
    meetings = _place_meetings(rng, by_ref, requests, lounges, EVENT_DATES, target=30)

    event = _event_block(
        EVENT_SLUG,
        "Smart City Expo Casablanca 2018",
        EVENT_DATES,
        [{"name": t} for t in lounges],
        booking_opens="2018-03-19T09:00:00+00:00",
        booking_closes="2018-04-20T12:00:00",
        request_expiry_hours=72,
    )
    return {
        "event": event,
        "participants": [p.record for p in people],
        "requests": requests,
        "meetings": meetings,
    }


def _demo_requests(rng: random.Random, people: list[_Person]) -> list[dict[str, Any]]:
    shanghai = _DELEGATIONS[0][2]
    popularity = {}
    for p in people:
        w = 1.0
        if p.org.name == shanghai:
            w = 3.0
        elif p.org.name == "Commune de Casablanca":
            w = 2.0
        elif p.record["kind"] in {"investor", "exhibitor"}:
            w = 1.5
        popularity[p.ref] = w * rng.uniform(0.5, 1.5)

    # All compatible unordered pairs (demand <-> supply, investor <-> start-up, a few
    # city-to-city exchanges), sampled by popularity (Efraimidis-Spirakis weighted keys).
    keyed: list[tuple[float, int, int]] = []
    for i, a in enumerate(people):
        for j in range(i + 1, len(people)):
            b = people[j]
            if not _allowed_pair(a, b):
                continue
            ka, kb = a.record["kind"], b.record["kind"]
            if ka == kb == "delegation":
                ok = bool(set(a.need_sectors) & set(b.need_sectors)) and rng.random() < 0.05
            else:
                ok = _compatible(a, b) and ka != kb
            if not ok:
                continue
            w = popularity[a.ref] * popularity[b.ref]
            keyed.append((rng.random() ** (1.0 / w), i, j))
    keyed.sort(reverse=True)

    per_person: dict[str, int] = {}
    chosen: list[tuple[_Person, _Person]] = []
    for _, i, j in keyed:
        a, b = people[i], people[j]
        if per_person.get(a.ref, 0) >= 6 or per_person.get(b.ref, 0) >= 6:
            continue
        chosen.append((a, b))
        per_person[a.ref] = per_person.get(a.ref, 0) + 1
        per_person[b.ref] = per_person.get(b.ref, 0) + 1
        if len(chosen) == 250:
            break

    requests = []
    for a, b in chosen:
        # The side that needs usually asks.
        a_asks = bool(set(a.need_sectors) & set(b.offer_sectors))
        b_asks = bool(set(b.need_sectors) & set(a.offer_sectors))
        if a_asks and b_asks:
            src, dst = (a, b) if rng.random() < 0.5 else (b, a)
        elif a_asks or (not b_asks and rng.random() < 0.5):
            src, dst = (a, b) if rng.random() < 0.8 else (b, a)
        else:
            src, dst = (b, a) if rng.random() < 0.8 else (a, b)
        status = rng.choices(["accepted", "pending", "declined"], weights=[70, 20, 10])[0]
        requests.append(_request_record(rng, src, dst, status))
    requests.sort(key=lambda r: (int(r["from"][1:]), int(r["to"][1:])))
    return requests


# --------------------------------------------------------------------------------------------
# Synthetic events for benchmarks
# --------------------------------------------------------------------------------------------

_SYNTH_KIND_WEIGHTS = {
    "exhibitor": 26, "startup": 12, "investor": 5, "institution": 6, "speaker": 4, "media": 3,
    "visitor": 22, "delegation": 22,
}  # fmt: skip


def build_synthetic_event(
    n_participants: int,
    *,
    seed: int = 0,
    days: int = 3,
    tables: int | None = None,
    request_ratio: float = 6.0,
) -> dict[str, Any]:
    """An event of any size in the import format, for benchmarks.

    Request popularity is Zipf-skewed (a few participants receive many requests); about
    ``n_participants * request_ratio / 2`` accepted requests (so each participant is in
    ``request_ratio`` accepted requests on average), plus some pending and declined ones.
    No self, same-organisation or duplicate (in either direction) requests; no meetings.
    """
    if n_participants < 0:
        raise ValueError("n_participants must be >= 0")
    if not 1 <= days <= 31:
        raise ValueError("days must be between 1 and 31")
    rng = random.Random(seed)
    factory = _PeopleFactory(rng)
    factory.unique_names = False
    used_domains: set[str] = set()
    first_day = dt.date(2018, 4, 18)
    dates = tuple((first_day + dt.timedelta(days=i)).isoformat() for i in range(days))
    kinds = list(_SYNTH_KIND_WEIGHTS)
    kind_w = [_SYNTH_KIND_WEIGHTS[k] for k in kinds]
    regions = list(_ORG_REGION_WEIGHTS)
    region_w = [_ORG_REGION_WEIGHTS[r] for r in regions]
    combos = list(itertools.product(_COMPANY_PREFIXES, _COMPANY_SUFFIXES))

    people: list[_Person] = []
    n_org = 0
    booth = 0
    while len(people) < n_participants:
        n_org += 1
        kind = rng.choices(kinds, weights=kind_w)[0]
        region = rng.choices(regions, weights=region_w)[0]
        reg = _REGIONS[region]
        city = rng.choice(reg["cities"])
        if kind == "delegation":
            name = f"City of {city} #{n_org}"
        else:
            prefix, suffix = combos[n_org % len(combos)]
            name = f"{prefix} {suffix} {n_org}"
        has_booth = kind in SUPPLY_KINDS and rng.random() < 0.6
        if has_booth:
            booth += 1
        org = _Org(
            name=name,
            kind=kind,
            region=region,
            city=city,
            sectors=_random_sectors(rng),
            domain=_org_domain(name, reg["country"], used_domains),
            booth=f"Booth {booth:04d}" if has_booth else None,
            years=rng.choice([5, 10, 15, 20]),
            year=rng.choice([2014, 2015, 2016, 2017]),
        )
        size = min(n_participants - len(people), rng.choice([1, 1, 2, 2, 3, 4]))
        for _ in range(size):
            p = factory.person(org, kind)
            rec = p.record
            if kind == "investor":
                rec["max_meetings"] = rng.choice([8, 12, 16])
            if rng.random() < 0.1:
                rec["sectors"] = []
            people.append(p)
    # Refs are p0001... at this size; keep them unique and sortable.
    width = max(3, len(str(len(people))))
    for i, p in enumerate(people, 1):
        p.ref = p.record["ref"] = f"p{i:0{width}d}"

    requests = _synthetic_requests(rng, people, request_ratio)
    n_tables = tables if tables is not None else max(1, n_participants // 10)
    event = _event_block(
        f"synthetic-{n_participants}-s{seed}",
        f"Synthetic benchmark event ({n_participants} participants)",
        dates,
        n_tables,
        request_expiry_hours=48,
    )
    return {
        "event": event,
        "participants": [p.record for p in people],
        "requests": requests,
        "meetings": [],
    }


def _synthetic_requests(
    rng: random.Random, people: list[_Person], request_ratio: float
) -> list[dict[str, Any]]:
    n = len(people)
    if n < 2:
        return []
    # Zipf (s=1) popularity over a random permutation of participants.
    order = list(range(n))
    rng.shuffle(order)
    weights = [0.0] * n
    for rank, idx in enumerate(order, 1):
        weights[idx] = 1.0 / rank
    cum = list(itertools.accumulate(weights))
    total = cum[-1]

    n_accepted = round(n * request_ratio / 2)
    n_other = round(n_accepted * 0.25)
    target = n_accepted + n_other
    seen: set[tuple[int, int]] = set()
    pairs: list[tuple[int, int]] = []
    attempts = 0
    max_attempts = 30 * target + 1000
    while len(pairs) < target and attempts < max_attempts:
        attempts += 1
        src = rng.randrange(n)
        dst = bisect.bisect_left(cum, rng.random() * total)
        if dst >= n or src == dst:
            continue
        key = (src, dst) if src < dst else (dst, src)
        if key in seen:
            continue
        a, b = people[src], people[dst]
        if not _allowed_pair(a, b):
            continue
        seen.add(key)
        pairs.append((src, dst))

    statuses = ["accepted"] * min(n_accepted, len(pairs))
    rest = len(pairs) - len(statuses)
    statuses += rng.choices(["pending", "declined"], weights=[2, 1], k=rest)
    rng.shuffle(statuses)
    return [
        _request_record(rng, people[s], people[d], status)
        for (s, d), status in zip(pairs, statuses, strict=True)
    ]


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m matchmaking.demo_data",
        description="Write the Smart City Expo Casablanca 2018 demo event, or a synthetic "
        "event of N participants, as import-format JSON.",
    )
    parser.add_argument(
        "--participants",
        "-n",
        type=int,
        default=None,
        help="build a synthetic event with this many participants (default: the demo event)",
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed (demo: 2018)")
    parser.add_argument("--days", type=int, default=3, help="synthetic: number of days")
    parser.add_argument("--tables", type=int, default=None, help="synthetic: number of tables")
    parser.add_argument(
        "--request-ratio", type=float, default=6.0, help="synthetic: requests per participant"
    )
    parser.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    parser.add_argument("--indent", type=int, default=1, help="JSON indent (default: 1)")
    args = parser.parse_args(argv)

    if args.participants is None:
        data = build_demo_event(2018 if args.seed is None else args.seed)
    else:
        if args.participants < 0:
            parser.error("--participants must be >= 0")
        data = build_synthetic_event(
            args.participants,
            seed=0 if args.seed is None else args.seed,
            days=args.days,
            tables=args.tables,
            request_ratio=args.request_ratio,
        )
    text = json.dumps(data, indent=args.indent, ensure_ascii=False) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# --------------------------------------------------------------------------- dates


def _shift_iso(value: str, days: int) -> str:
    """An ISO date or date-time string ``days`` later, in the same form (offset kept)."""
    if "T" not in value:
        return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()
    moved = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) + dt.timedelta(days=days)
    return moved.isoformat()


def move_to_upcoming(doc: dict, today: dt.date, lead_days: int = 14) -> tuple[dict, int]:
    """The event document moved by whole weeks (weekdays kept) so that its first day is at least
    ``lead_days`` after ``today``: ``(moved copy, days moved)``; 0 when it is already that far.

    Every date in the import format moves together: the days, the booking window, the
    participants' availability periods and the booked meetings, so the demo fair is one that
    participants can still book, answer and check in to once its days come."""
    first = min(dt.date.fromisoformat(d["date"]) for d in doc["event"]["days"])
    gap = (today + dt.timedelta(days=lead_days) - first).days
    days = 7 * -(-gap // 7) if gap > 0 else 0
    out = json.loads(json.dumps(doc))
    if not days:
        return out, 0
    ev = out["event"]
    for key in ("booking_opens", "booking_closes"):
        if ev.get(key):
            ev[key] = _shift_iso(ev[key], days)
    for day in ev["days"]:
        day["date"] = _shift_iso(day["date"], days)
    for p in out.get("participants", []):
        for period in p.get("availability", []):
            period["start"] = _shift_iso(period["start"], days)
            period["end"] = _shift_iso(period["end"], days)
    for m in out.get("meetings", []):
        for key in ("start", "end"):
            if m.get(key):
                m[key] = _shift_iso(m[key], days)
    return out, days
