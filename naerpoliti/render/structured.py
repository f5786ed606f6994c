"""schema.org JSON-LD for locality, event and news pages, from the same values the page shows.

Only public data goes in: officers in their official role, and nothing of ambassadors.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..model import Event, Locality, NewsItem, Officer, Station
from ..site import SiteModel
from ..urls import Urls


def _officer_contact(officer: Officer, station: Station | None) -> dict[str, Any]:
    point: dict[str, Any] = {"@type": "ContactPoint", "contactType": officer.title, "name": officer.name}
    if officer.phone:
        point["telephone"] = officer.phone.uri[len("tel:"):]
    if officer.email:
        point["email"] = officer.email
    if station and station.opening_hours:
        point["hoursAvailable"] = station.opening_hours
    return point


def locality(site: SiteModel, urls: Urls, loc: Locality) -> dict[str, Any]:
    officer = site.officers[loc.officer]
    station = site.stations.get(officer.station) if officer.station else None
    mun = site.municipality_by_id[loc.municipality]
    district = site.district_by_id[mun.district]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentOrganization",
        "name": f"{district.name} – {loc.name}",
        "url": urls.absolute(urls.locality(loc.id)),
        "areaServed": {"@type": "Place", "name": loc.name,
                       "address": {"@type": "PostalAddress", "postalCode": ", ".join(loc.postcodes),
                                   "addressLocality": loc.name, "addressCountry": "DK"}},
        "parentOrganization": {"@type": "GovernmentOrganization", "name": district.name,
                               **({"url": district.url} if district.url else {})},
        "contactPoint": [
            _officer_contact(officer, station),
            {"@type": "ContactPoint", "contactType": "emergency", "telephone": "112"},
            {"@type": "ContactPoint", "contactType": "police, not urgent", "telephone": "114"},
        ],
    }
    if loc.coordinates:
        data["areaServed"]["geo"] = {"@type": "GeoCoordinates", "latitude": loc.coordinates[0],
                                     "longitude": loc.coordinates[1]}
    if station:
        ps: dict[str, Any] = {"@type": "PoliceStation", "name": station.name}
        if station.address:
            ps["address"] = station.address
        if station.opening_hours:
            ps["openingHours"] = station.opening_hours
        if station.phone:
            ps["telephone"] = station.phone.uri[len("tel:"):]
        data["location"] = ps
    return data


def event(site: SiteModel, urls: Urls, item: Event) -> dict[str, Any]:
    def fmt(moment: dt.datetime) -> str:
        return moment.date().isoformat() if item.all_day else moment.isoformat()

    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": item.title,
        "startDate": fmt(item.start),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {"@type": "Place", "name": item.location, "address": item.location},
        "url": urls.absolute(urls.event(item.slug)),
        "description": item.summary,
        "isAccessibleForFree": True,
        "organizer": {"@type": "GovernmentOrganization", "name": site.config.title,
                      "url": urls.absolute(urls.home())},
    }
    if item.end:
        data["endDate"] = fmt(item.end)
    return data


def news(site: SiteModel, urls: Urls, item: NewsItem, author: Officer | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": item.title,
        "datePublished": (item.datetime or item.date).isoformat(),
        "url": urls.absolute(urls.news(item.slug)),
        "description": item.summary,
        "inLanguage": site.config.language,
        "publisher": {"@type": "GovernmentOrganization", "name": site.config.title,
                      "url": urls.absolute(urls.home())},
    }
    if author:
        data["author"] = {"@type": "Person", "name": author.name, "jobTitle": author.title}
    if item.image:
        data["image"] = urls.origin + urls.media(item.image.path)
    return data
