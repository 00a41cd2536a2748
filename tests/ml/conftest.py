import pytest

from ml import ProfileText, Ranker, encode_profiles, get_encoder


@pytest.fixture(scope="session")
def use_encoder():
    return get_encoder("use-multilingual")


@pytest.fixture(scope="session")
def event_profiles():
    return [
        ProfileText(
            id="casa",
            org="Commune de Casablanca",
            kind="delegation",
            languages=["fr", "ar"],
            needs=[
                "Nous cherchons à réduire les embouteillages aux carrefours grâce à des feux "
                "tricolores intelligents."
            ],
        ),
        ProfileText(
            id="signals",
            org="GreenWave Ltd",
            kind="exhibitor",
            languages=["en"],
            offers=[
                "Adaptive traffic signal control that retimes intersections in real time "
                "to cut congestion."
            ],
        ),
        ProfileText(
            id="seo",
            org="ClickBoost",
            kind="exhibitor",
            languages=["en", "fr"],
            offers=["SEO agency: we drive more traffic to your website and boost conversions."],
        ),
        ProfileText(
            id="waste",
            org="EcoCollect",
            kind="startup",
            languages=["fr"],
            offers=[
                "Capteurs de remplissage pour conteneurs et optimisation des tournées de "
                "collecte des déchets."
            ],
        ),
        ProfileText(
            id="signals-2",
            org="GreenWave Ltd",
            kind="exhibitor",
            languages=["en"],
            offers=["Traffic light controllers for smart intersections."],
        ),
        ProfileText(
            id="rabat",
            org="Ville de Rabat",
            kind="delegation",
            languages=["ar"],
            needs=["نبحث عن حلول لتدبير النفايات المنزلية وتحسين جمعها."],
            offers=["نتقاسم تجربتنا في تدبير المطارح."],
        ),
        ProfileText(
            id="parkco",
            org="ParkCo",
            kind="exhibitor",
            languages=["fr"],
            offers=["Capteurs de stationnement et application de guidage vers les places libres."],
            needs=["Nous cherchons des intégrateurs pour nos capteurs."],
            accepts_same_kind=True,
        ),
        ProfileText(
            id="integrator",
            org="CityIntegr",
            kind="exhibitor",
            languages=["fr", "en"],
            offers=["Intégration de capteurs IoT et de plateformes pour les villes."],
            accepts_same_kind=True,
        ),
    ]


@pytest.fixture(scope="session")
def event_vectors(event_profiles, use_encoder):
    return encode_profiles(event_profiles, use_encoder)


@pytest.fixture(scope="session")
def ranker(event_profiles, event_vectors):
    return Ranker(event_profiles, event_vectors)
