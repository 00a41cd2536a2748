"""Labelled smart-city phrases: sector id -> label, offer phrases and need phrases per language.

Pure data (fr / en / ar), used in two places: ``ml.taxonomy`` trains its sector classifier on
these phrases (with the taxonomy's labels and keywords), and ``matchmaking.demo_data`` builds
the demo event's profiles from them. None of the evaluation sets in ``fixtures/eval/`` is used
for training.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SECTOR_PHRASES"]

# sector id -> {"label": {lang: str}, "offers": {lang: [str]}, "needs": {lang: [str]}}
SECTOR_PHRASES: dict[str, dict[str, dict[str, Any]]] = {
    "mobility": {
        "label": {"fr": "la mobilité urbaine", "en": "urban mobility", "ar": "التنقل الحضري"},
        "offers": {
            "fr": [
                "plateforme de mobilité multimodale (MaaS)",
                "services de vélos et trottinettes en libre-service",
                "solutions de covoiturage pour les entreprises",
            ],
            "en": [
                "multimodal mobility-as-a-service platform",
                "shared bike and e-scooter services",
                "corporate carpooling solutions",
            ],
            "ar": [
                "منصة للتنقل متعدد الوسائط",
                "خدمات الدراجات الهوائية والكهربائية المشتركة",
                "حلول النقل المشترك لفائدة الشركات",
            ],
        },
        "needs": {
            "fr": [
                "plan de mobilité urbaine durable",
                "solutions de micromobilité pour le centre-ville",
                "intégration tarifaire entre les modes de transport",
            ],
            "en": [
                "a sustainable urban mobility plan",
                "micromobility solutions for the city centre",
                "fare integration across transport modes",
            ],
            "ar": [
                "مخطط للتنقل الحضري المستدام",
                "حلول التنقل الخفيف لوسط المدينة",
                "تكامل التذاكر بين وسائل النقل",
            ],
        },
    },
    "traffic": {
        "label": {
            "fr": "la gestion du trafic",
            "en": "traffic management",
            "ar": "تدبير حركة السير",
        },
        "offers": {
            "fr": [
                "feux de circulation adaptatifs",
                "logiciels pour centres de supervision du trafic",
                "capteurs de comptage et analyse vidéo du trafic",
            ],
            "en": [
                "adaptive traffic signal control",
                "traffic management centre software",
                "traffic counting sensors and video analytics",
            ],
            "ar": [
                "إشارات مرور تكيفية",
                "برمجيات لمراكز تدبير حركة السير",
                "أجهزة استشعار لعد المركبات وتحليل الفيديو",
            ],
        },
        "needs": {
            "fr": [
                "réduction des embouteillages aux heures de pointe",
                "modernisation des carrefours à feux",
                "données de trafic en temps réel",
            ],
            "en": [
                "reducing peak-hour congestion",
                "upgrading signalised intersections",
                "real-time traffic data",
            ],
            "ar": [
                "الحد من الاختناقات المرورية في أوقات الذروة",
                "تحديث الملتقيات المجهزة بالإشارات الضوئية",
                "بيانات حركة السير في الوقت الحقيقي",
            ],
        },
    },
    "parking": {
        "label": {"fr": "le stationnement", "en": "parking", "ar": "ركن السيارات"},
        "offers": {
            "fr": [
                "capteurs de stationnement connectés",
                "paiement mobile du stationnement",
                "guidage dynamique vers les places libres",
            ],
            "en": [
                "connected parking sensors",
                "mobile parking payment",
                "dynamic guidance to free parking spaces",
            ],
            "ar": [
                "حساسات ذكية لمواقف السيارات",
                "الأداء عبر الهاتف المحمول لركن السيارات",
                "التوجيه الديناميكي نحو الأماكن الشاغرة",
            ],
        },
        "needs": {
            "fr": [
                "gestion du stationnement en centre-ville",
                "contrôle numérique du stationnement payant",
                "parkings relais aux entrées de la ville",
            ],
            "en": [
                "city-centre parking management",
                "digital enforcement of paid parking",
                "park-and-ride facilities at city entrances",
            ],
            "ar": [
                "تدبير ركن السيارات في وسط المدينة",
                "المراقبة الرقمية للمواقف المؤدى عنها",
                "مواقف التبادل عند مداخل المدينة",
            ],
        },
    },
    "public_transport": {
        "label": {
            "fr": "les transports publics",
            "en": "public transport",
            "ar": "النقل العمومي",
        },
        "offers": {
            "fr": [
                "systèmes d'information voyageurs en temps réel",
                "billettique sans contact",
                "optimisation des réseaux de bus",
            ],
            "en": [
                "real-time passenger information systems",
                "contactless ticketing",
                "bus network optimisation",
            ],
            "ar": [
                "أنظمة إخبار المسافرين في الوقت الحقيقي",
                "التذاكر اللاتلامسية",
                "تحسين شبكات الحافلات",
            ],
        },
        "needs": {
            "fr": [
                "extension des lignes de tramway et de busway",
                "billettique unique pour le transport public",
                "électrification de la flotte de bus",
            ],
            "en": [
                "extending tram and BRT lines",
                "a single ticketing system for public transport",
                "electrifying the bus fleet",
            ],
            "ar": [
                "توسيع شبكة الترامواي والحافلات ذات المسار الخاص",
                "نظام تذاكر موحد للنقل العمومي",
                "كهربة أسطول الحافلات",
            ],
        },
    },
    "energy": {
        "label": {"fr": "l'énergie", "en": "energy", "ar": "الطاقة"},
        "offers": {
            "fr": [
                "centrales solaires photovoltaïques",
                "réseaux électriques intelligents",
                "audits et services d'efficacité énergétique",
            ],
            "en": [
                "solar photovoltaic plants",
                "smart grid technologies",
                "energy efficiency audits and services",
            ],
            "ar": [
                "محطات الطاقة الشمسية الكهروضوئية",
                "الشبكات الكهربائية الذكية",
                "خدمات التدقيق والنجاعة الطاقية",
            ],
        },
        "needs": {
            "fr": [
                "transition vers les énergies renouvelables",
                "réduction de la facture énergétique municipale",
                "bornes de recharge pour véhicules électriques",
            ],
            "en": [
                "the transition to renewable energy",
                "lowering the municipal energy bill",
                "electric vehicle charging points",
            ],
            "ar": [
                "الانتقال نحو الطاقات المتجددة",
                "تخفيض الفاتورة الطاقية للجماعة",
                "محطات شحن السيارات الكهربائية",
            ],
        },
    },
    "street_lighting": {
        "label": {"fr": "l'éclairage public", "en": "street lighting", "ar": "الإنارة العمومية"},
        "offers": {
            "fr": [
                "éclairage public LED télégéré",
                "lampadaires solaires autonomes",
                "candélabres intelligents multiservices",
            ],
            "en": [
                "remotely managed LED street lighting",
                "stand-alone solar street lamps",
                "multi-service smart poles",
            ],
            "ar": [
                "إنارة عمومية بمصابيح LED قابلة للتحكم عن بعد",
                "أعمدة إنارة شمسية مستقلة",
                "أعمدة ذكية متعددة الخدمات",
            ],
        },
        "needs": {
            "fr": [
                "modernisation de l'éclairage public",
                "réduction de la consommation liée à l'éclairage",
                "éclairage des quartiers périphériques",
            ],
            "en": [
                "modernising street lighting",
                "cutting the energy used for lighting",
                "lighting for outlying neighbourhoods",
            ],
            "ar": [
                "تحديث الإنارة العمومية",
                "خفض استهلاك الطاقة في الإنارة",
                "إنارة الأحياء المحيطية",
            ],
        },
    },
    "water": {
        "label": {"fr": "la gestion de l'eau", "en": "water management", "ar": "تدبير الماء"},
        "offers": {
            "fr": [
                "compteurs d'eau intelligents",
                "détection des fuites sur les réseaux",
                "stations de traitement et de réutilisation des eaux usées",
            ],
            "en": [
                "smart water meters",
                "network leak detection",
                "wastewater treatment and reuse plants",
            ],
            "ar": [
                "عدادات الماء الذكية",
                "الكشف عن التسربات في الشبكات",
                "محطات معالجة المياه العادمة وإعادة استعمالها",
            ],
        },
        "needs": {
            "fr": [
                "réduction des pertes en eau potable",
                "gestion des eaux pluviales et des inondations",
                "irrigation économe des espaces verts",
            ],
            "en": [
                "reducing drinking-water losses",
                "stormwater and flood management",
                "water-efficient irrigation of green spaces",
            ],
            "ar": [
                "الحد من ضياع الماء الصالح للشرب",
                "تدبير مياه الأمطار والفيضانات",
                "السقي المقتصد للمساحات الخضراء",
            ],
        },
    },
    "waste": {
        "label": {"fr": "la gestion des déchets", "en": "waste management", "ar": "تدبير النفايات"},
        "offers": {
            "fr": [
                "conteneurs connectés avec capteurs de remplissage",
                "optimisation des tournées de collecte",
                "valorisation énergétique des déchets",
            ],
            "en": [
                "connected bins with fill-level sensors",
                "collection route optimisation",
                "waste-to-energy solutions",
            ],
            "ar": [
                "حاويات متصلة بأجهزة استشعار الامتلاء",
                "تحسين مسارات جمع النفايات",
                "التثمين الطاقي للنفايات",
            ],
        },
        "needs": {
            "fr": [
                "tri sélectif et recyclage",
                "fermeture et réhabilitation des décharges",
                "propreté des espaces publics",
            ],
            "en": [
                "sorting and recycling programmes",
                "closing and rehabilitating landfills",
                "cleaner public spaces",
            ],
            "ar": [
                "الفرز الانتقائي وإعادة التدوير",
                "إغلاق المطارح وإعادة تأهيلها",
                "نظافة الفضاءات العمومية",
            ],
        },
    },
    "buildings": {
        "label": {
            "fr": "le bâtiment durable",
            "en": "sustainable buildings",
            "ar": "البناء المستدام",
        },
        "offers": {
            "fr": [
                "gestion technique du bâtiment",
                "construction durable et matériaux bas carbone",
                "rénovation énergétique des bâtiments publics",
            ],
            "en": [
                "building management systems",
                "sustainable construction and low-carbon materials",
                "energy retrofits of public buildings",
            ],
            "ar": [
                "أنظمة التدبير التقني للبنايات",
                "البناء المستدام والمواد منخفضة الكربون",
                "التأهيل الطاقي للبنايات العمومية",
            ],
        },
        "needs": {
            "fr": [
                "rénovation des écoles et des bâtiments administratifs",
                "logement social durable",
                "certification environnementale des bâtiments",
            ],
            "en": [
                "renovating schools and administrative buildings",
                "sustainable social housing",
                "green building certification",
            ],
            "ar": [
                "تأهيل المدارس والبنايات الإدارية",
                "السكن الاجتماعي المستدام",
                "الشهادة البيئية للبنايات",
            ],
        },
    },
    "urban_planning": {
        "label": {"fr": "l'aménagement urbain", "en": "urban planning", "ar": "التهيئة الحضرية"},
        "offers": {
            "fr": [
                "jumeaux numériques et modélisation 3D des villes",
                "systèmes d'information géographique",
                "conseil en aménagement urbain",
            ],
            "en": [
                "digital twins and 3D city modelling",
                "geographic information systems",
                "urban planning consultancy",
            ],
            "ar": [
                "التوائم الرقمية والنمذجة ثلاثية الأبعاد للمدن",
                "أنظمة المعلومات الجغرافية",
                "الاستشارة في مجال التهيئة الحضرية",
            ],
        },
        "needs": {
            "fr": [
                "plans d'aménagement des nouveaux quartiers",
                "requalification de la médina",
                "cadastre numérique",
            ],
            "en": [
                "master plans for new districts",
                "regenerating the historic medina",
                "a digital land registry",
            ],
            "ar": [
                "تصاميم تهيئة الأحياء الجديدة",
                "إعادة تأهيل المدينة العتيقة",
                "السجل العقاري الرقمي",
            ],
        },
    },
    "e_government": {
        "label": {
            "fr": "l'administration électronique",
            "en": "e-government",
            "ar": "الإدارة الإلكترونية",
        },
        "offers": {
            "fr": [
                "guichets administratifs en ligne",
                "dématérialisation des procédures",
                "signature électronique et identité numérique",
            ],
            "en": [
                "online one-stop administrative services",
                "paperless administrative procedures",
                "e-signature and digital identity",
            ],
            "ar": [
                "الشبابيك الإدارية الإلكترونية",
                "رقمنة المساطر الإدارية",
                "التوقيع الإلكتروني والهوية الرقمية",
            ],
        },
        "needs": {
            "fr": [
                "services municipaux en ligne pour les citoyens",
                "délivrance numérique des permis et autorisations",
                "interopérabilité des systèmes d'information",
            ],
            "en": [
                "online municipal services for citizens",
                "digital issuing of permits and licences",
                "interoperability between information systems",
            ],
            "ar": [
                "خدمات جماعية إلكترونية لفائدة المواطنين",
                "التسليم الرقمي للرخص والأذونات",
                "التشغيل البيني لأنظمة المعلومات",
            ],
        },
    },
    "public_safety": {
        "label": {"fr": "la sécurité urbaine", "en": "public safety", "ar": "الأمن الحضري"},
        "offers": {
            "fr": [
                "vidéoprotection intelligente",
                "centres de commandement et de coordination des secours",
                "systèmes d'alerte précoce",
            ],
            "en": [
                "intelligent video surveillance",
                "emergency command and control centres",
                "early-warning systems",
            ],
            "ar": [
                "المراقبة الذكية بالفيديو",
                "مراكز القيادة وتنسيق الإغاثة",
                "أنظمة الإنذار المبكر",
            ],
        },
        "needs": {
            "fr": [
                "sécurité des grands événements",
                "gestion des risques naturels",
                "réduction des délais d'intervention des secours",
            ],
            "en": [
                "security for major events",
                "natural hazard management",
                "faster emergency response times",
            ],
            "ar": [
                "تأمين التظاهرات الكبرى",
                "تدبير المخاطر الطبيعية",
                "تقليص آجال تدخل فرق الإغاثة",
            ],
        },
    },
    "health": {
        "label": {"fr": "la santé connectée", "en": "digital health", "ar": "الصحة الرقمية"},
        "offers": {
            "fr": [
                "télémédecine et consultations à distance",
                "dossier médical électronique",
                "suivi connecté des patients chroniques",
            ],
            "en": [
                "telemedicine and remote consultations",
                "electronic health records",
                "connected monitoring of chronic patients",
            ],
            "ar": [
                "الطب عن بعد والاستشارات الطبية عن بعد",
                "الملف الطبي الإلكتروني",
                "التتبع المتصل للمرضى المصابين بأمراض مزمنة",
            ],
        },
        "needs": {
            "fr": [
                "accès aux soins dans les quartiers éloignés",
                "prise de rendez-vous en ligne dans les centres de santé",
                "numérisation des centres de santé de proximité",
            ],
            "en": [
                "access to care in remote neighbourhoods",
                "online booking in health centres",
                "digitising local health centres",
            ],
            "ar": [
                "الولوج إلى العلاج في الأحياء البعيدة",
                "حجز المواعيد عبر الإنترنت في المراكز الصحية",
                "رقمنة المراكز الصحية للقرب",
            ],
        },
    },
    "education": {
        "label": {
            "fr": "l'éducation et la formation",
            "en": "education and training",
            "ar": "التعليم والتكوين",
        },
        "offers": {
            "fr": [
                "plateformes d'apprentissage en ligne",
                "formations aux métiers du numérique",
                "équipements pour salles de classe connectées",
            ],
            "en": [
                "e-learning platforms",
                "digital skills training",
                "connected classroom equipment",
            ],
            "ar": [
                "منصات التعلم عبر الإنترنت",
                "التكوين في مهن الرقمنة",
                "تجهيزات الأقسام الدراسية المتصلة",
            ],
        },
        "needs": {
            "fr": [
                "inclusion numérique des jeunes",
                "connexion des écoles à internet",
                "formation des agents municipaux",
            ],
            "en": [
                "digital inclusion for young people",
                "connecting schools to the internet",
                "training municipal staff",
            ],
            "ar": [
                "الإدماج الرقمي للشباب",
                "ربط المدارس بشبكة الإنترنت",
                "تكوين موظفي الجماعة",
            ],
        },
    },
    "environment": {
        "label": {"fr": "l'environnement", "en": "the environment", "ar": "البيئة"},
        "offers": {
            "fr": [
                "capteurs de qualité de l'air",
                "solutions de végétalisation urbaine",
                "bilans carbone et stratégies climat",
            ],
            "en": [
                "air quality sensors",
                "urban greening solutions",
                "carbon footprint assessments and climate strategies",
            ],
            "ar": [
                "أجهزة استشعار جودة الهواء",
                "حلول تخضير المدن",
                "تقييم البصمة الكربونية واستراتيجيات المناخ",
            ],
        },
        "needs": {
            "fr": [
                "plan climat de la ville",
                "suivi de la pollution atmosphérique",
                "création de parcs et d'espaces verts",
            ],
            "en": [
                "a city climate plan",
                "monitoring air pollution",
                "creating parks and green spaces",
            ],
            "ar": [
                "مخطط المناخ للمدينة",
                "رصد تلوث الهواء",
                "إحداث الحدائق والمساحات الخضراء",
            ],
        },
    },
    "connectivity": {
        "label": {"fr": "la connectivité", "en": "connectivity", "ar": "الربط الرقمي"},
        "offers": {
            "fr": [
                "réseaux en fibre optique",
                "Wi-Fi public à haut débit",
                "réseaux IoT LoRaWAN et 5G",
            ],
            "en": [
                "fibre-optic networks",
                "high-speed public Wi-Fi",
                "LoRaWAN and 5G IoT networks",
            ],
            "ar": [
                "شبكات الألياف البصرية",
                "شبكة واي فاي عمومية عالية الصبيب",
                "شبكات إنترنت الأشياء LoRaWAN والجيل الخامس",
            ],
        },
        "needs": {
            "fr": [
                "couverture Wi-Fi des places publiques",
                "réseau de capteurs à l'échelle de la ville",
                "réduction de la fracture numérique",
            ],
            "en": [
                "Wi-Fi coverage of public squares",
                "a city-wide sensor network",
                "bridging the digital divide",
            ],
            "ar": [
                "تغطية الساحات العمومية بشبكة واي فاي",
                "شبكة أجهزة استشعار على مستوى المدينة",
                "تقليص الفجوة الرقمية",
            ],
        },
    },
    "data_platforms": {
        "label": {
            "fr": "les plateformes de données",
            "en": "data platforms",
            "ar": "منصات البيانات",
        },
        "offers": {
            "fr": [
                "plateformes urbaines de données",
                "tableaux de bord et hypervision de la ville",
                "intelligence artificielle pour l'analyse de données",
            ],
            "en": [
                "urban data platforms",
                "city dashboards and hypervision",
                "AI-powered data analytics",
            ],
            "ar": [
                "منصات البيانات الحضرية",
                "لوحات القيادة والإشراف الشامل على المدينة",
                "الذكاء الاصطناعي لتحليل البيانات",
            ],
        },
        "needs": {
            "fr": [
                "portail open data",
                "centralisation des données des services municipaux",
                "pilotage de la ville par les données",
            ],
            "en": [
                "an open data portal",
                "centralising data from municipal departments",
                "data-driven city management",
            ],
            "ar": [
                "بوابة للبيانات المفتوحة",
                "تجميع بيانات المصالح الجماعية",
                "تدبير المدينة بالاعتماد على البيانات",
            ],
        },
    },
    "tourism": {
        "label": {"fr": "le tourisme", "en": "tourism", "ar": "السياحة"},
        "offers": {
            "fr": [
                "applications de visite et guides numériques",
                "billetterie en ligne des sites culturels",
                "analyse des flux touristiques",
            ],
            "en": [
                "visitor apps and digital guides",
                "online ticketing for cultural sites",
                "tourist flow analytics",
            ],
            "ar": [
                "تطبيقات الزيارة والأدلة الرقمية",
                "التذاكر الإلكترونية للمواقع الثقافية",
                "تحليل تدفقات السياح",
            ],
        },
        "needs": {
            "fr": [
                "promotion numérique de la destination",
                "valorisation du patrimoine",
                "accueil des visiteurs internationaux",
            ],
            "en": [
                "digital destination marketing",
                "showcasing cultural heritage",
                "welcoming international visitors",
            ],
            "ar": [
                "الترويج الرقمي للوجهة",
                "تثمين التراث",
                "استقبال الزوار الدوليين",
            ],
        },
    },
    "finance": {
        "label": {"fr": "la finance", "en": "finance", "ar": "التمويل"},
        "offers": {
            "fr": [
                "financement de projets d'infrastructure",
                "structuration de partenariats public-privé",
                "paiement mobile et inclusion financière",
            ],
            "en": [
                "infrastructure project finance",
                "structuring public-private partnerships",
                "mobile payment and financial inclusion",
            ],
            "ar": [
                "تمويل مشاريع البنية التحتية",
                "هيكلة الشراكات بين القطاعين العام والخاص",
                "الأداء عبر الهاتف المحمول والإدماج المالي",
            ],
        },
        "needs": {
            "fr": [
                "financement des projets smart city",
                "montage de partenariats public-privé",
                "levée de fonds pour la croissance",
            ],
            "en": [
                "funding for smart city projects",
                "setting up public-private partnerships",
                "growth funding",
            ],
            "ar": [
                "تمويل مشاريع المدينة الذكية",
                "إعداد الشراكات بين القطاعين العام والخاص",
                "جمع التمويل من أجل النمو",
            ],
        },
    },
    "citizen_engagement": {
        "label": {
            "fr": "la participation citoyenne",
            "en": "citizen engagement",
            "ar": "المشاركة المواطنة",
        },
        "offers": {
            "fr": [
                "applications de signalement citoyen",
                "budgets participatifs en ligne",
                "plateformes de consultation publique",
            ],
            "en": [
                "citizen issue-reporting apps",
                "online participatory budgeting",
                "public consultation platforms",
            ],
            "ar": [
                "تطبيقات تبليغ المواطنين",
                "الميزانيات التشاركية عبر الإنترنت",
                "منصات التشاور العمومي",
            ],
        },
        "needs": {
            "fr": [
                "participation des habitants aux décisions",
                "traitement des réclamations des citoyens",
                "communication municipale sur les réseaux sociaux",
            ],
            "en": [
                "involving residents in decision-making",
                "handling citizen complaints",
                "municipal communication on social media",
            ],
            "ar": [
                "إشراك السكان في اتخاذ القرار",
                "معالجة شكايات المواطنين",
                "التواصل الجماعي عبر شبكات التواصل الاجتماعي",
            ],
        },
    },
}
