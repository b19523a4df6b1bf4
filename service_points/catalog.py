"""DCAT (JSON-LD) metadata for the data set, with the fields Thailand's CKAN-based
government data catalogue asks for, so a CKAN harvester (ckanext-dcat) can take it in."""

from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

DATASET = {
    "identifier": "citizeninfo-service-points",
    "title_th": "จุดให้บริการประชาชนของหน่วยงานภาครัฐ",
    "title_en": "Government citizen service points",
    "description_th": "ตำแหน่ง (ละติจูด ลองจิจูด WGS84) ที่อยู่ เบอร์โทรศัพท์ และเวลาทำการของจุดให้บริการ"
    "ประชาชนที่หน่วยงานภาครัฐปักหมุดไว้ ไม่มีข้อมูลส่วนบุคคล",
    "description_en": "Where government agencies serve citizens: position (WGS84 latitude and "
    "longitude), address, phone and opening hours, as pinned by each agency. "
    "No personal data.",
    "publisher_th": "สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)",
    "publisher_en": "Digital Government Development Agency (EGA)",
    "license_url": "https://opendefinition.org/licenses/cc-by/",
    "license_id": "cc-by",
    "license_title": _("Creative Commons Attribution 4.0"),
    "frequency": "http://purl.org/cld/freq/daily",
    "frequency_label": _("Daily (as agencies pin)"),
    "keywords": ["จุดให้บริการ", "หน่วยงานภาครัฐ", "แผนที่", "service points", "government", "No Copy"],
    "theme": "http://publications.europa.eu/resource/authority/data-theme/GOVE",
    "spatial": "https://sws.geonames.org/1605651/",
    "spatial_label": "Thailand",
    "bbox": [97.34, 5.61, 105.64, 20.46],
}

FORMATS = [
    ("opendata_csv", "CSV", "text/csv"),
    ("opendata_geojson", "GeoJSON", "application/geo+json"),
    ("opendata_xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
]


def dcat_catalog(*, base_url: str, stats: dict) -> dict:
    base = base_url.rstrip("/")
    dataset_url = base + reverse("service_points:opendata")
    west, south, east, north = DATASET["bbox"]
    polygon = (
        f"POLYGON(({west} {south},{east} {south},{east} {north},{west} {north},{west} {south}))"
    )
    modified = stats["updated"].isoformat() if stats.get("updated") else None
    distributions = [
        {
            "@id": f"{base}{reverse(f'service_points:{name}')}#distribution",
            "@type": "dcat:Distribution",
            "dct:title": f"{DATASET['title_en']} ({label})",
            "dcat:accessURL": {"@id": base + reverse(f"service_points:{name}")},
            "dcat:downloadURL": {"@id": base + reverse(f"service_points:{name}")},
            "dct:format": label,
            "dcat:mediaType": media,
            "dct:license": {"@id": DATASET["license_url"]},
        }
        for name, label, media in FORMATS
    ]
    dataset = {
        "@id": dataset_url,
        "@type": "dcat:Dataset",
        "dct:identifier": DATASET["identifier"],
        "dct:title": [
            {"@language": "th", "@value": DATASET["title_th"]},
            {"@language": "en", "@value": DATASET["title_en"]},
        ],
        "dct:description": [
            {"@language": "th", "@value": DATASET["description_th"]},
            {"@language": "en", "@value": DATASET["description_en"]},
        ],
        "dct:publisher": {
            "@type": "foaf:Organization",
            "foaf:name": [
                {"@language": "th", "@value": DATASET["publisher_th"]},
                {"@language": "en", "@value": DATASET["publisher_en"]},
            ],
        },
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": DATASET["publisher_en"],
            "vcard:hasURL": {"@id": dataset_url},
        },
        "dct:license": {"@id": DATASET["license_url"]},
        "dct:accrualPeriodicity": {"@id": DATASET["frequency"]},
        "dct:spatial": {
            "@id": DATASET["spatial"],
            "@type": "dct:Location",
            "skos:prefLabel": DATASET["spatial_label"],
            "locn:geometry": {"@type": "gsp:wktLiteral", "@value": polygon},
        },
        "dct:language": [
            {"@id": "http://id.loc.gov/vocabulary/iso639-1/th"},
            {"@id": "http://id.loc.gov/vocabulary/iso639-1/en"},
        ],
        "dcat:keyword": DATASET["keywords"],
        "dcat:theme": {"@id": DATASET["theme"]},
        "dcat:landingPage": {"@id": dataset_url},
        "dct:modified": modified,
        "dcat:distribution": distributions,
        # The names Thailand's CKAN catalogue (data.go.th) uses, for harvesters that map them.
        "ckan:extras": {
            "name": DATASET["identifier"],
            "title": DATASET["title_th"],
            "notes": DATASET["description_th"],
            "owner_org": DATASET["publisher_th"],
            "license_id": DATASET["license_id"],
            "update_frequency_unit": "วัน",
            "update_frequency_interval": "1",
            "geo_coverage": "ประเทศ",
            "data_format": ["CSV", "GeoJSON", "XLSX"],
            "data_type": "ข้อมูลภูมิศาสตร์",
            "objective": "ข้อมูลสาธารณะ",
            "record_count": stats.get("count", 0),
        },
    }
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "locn": "http://www.w3.org/ns/locn#",
            "gsp": "http://www.opengis.net/ont/geosparql#",
            "ckan": base + "/opendata/ckan#",
        },
        "@id": base + reverse("service_points:opendata_catalog"),
        "@type": "dcat:Catalog",
        "dct:title": "CITIZENinfo open data",
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": DATASET["publisher_en"]},
        "dcat:dataset": [dataset, *_other_datasets(base)],
    }


# Other apps' open data sets join the one catalogue by registering here in their ready()
# (complaints' monthly sets), so this module never imports them.
DATASET_PROVIDERS: list[Callable[..., list[dict]]] = []


def register_datasets(provider: Callable[..., list[dict]]) -> None:
    """`provider(base_url=...)` returns DCAT dataset dicts for the catalogue."""
    if provider not in DATASET_PROVIDERS:
        DATASET_PROVIDERS.append(provider)


def _other_datasets(base: str) -> list[dict]:
    return [d for provider in DATASET_PROVIDERS for d in provider(base_url=base)]
