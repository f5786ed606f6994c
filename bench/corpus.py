"""Deterministic benchmark corpora in naerpoliti's content format (a generated site root).

    .venv/bin/python bench/corpus.py national /tmp/corp                  # all of Denmark, ~25,000 files
    .venv/bin/python bench/corpus.py small /tmp/corp --fraction 0.1 --seed 2

The same arguments always give byte-identical files: every random choice comes from
random.Random seeded with the seed and the part being written, nothing reads the clock, and
everything is iterated in a fixed order. The text is written directly with f-strings (no YAML
dumper), so the national corpus is written in a few seconds.

The places are real (the 12 police districts, the 98 municipalities, towns and their postcodes,
approximate coordinates); localities beyond the real towns are made with suffixes ("Nord",
"Midtby" ...) and numbers. Every person, address, phone number and e-mail address is invented;
e-mail addresses and web addresses are on example.dk. No media files: no photos, no images.

What a check with --today 2026-12-01 reports: no errors, and one warning per ambassador who is
deliberately not published (no consent, withdrawn, expired, consent given in the future, or
consent without 'name'); `unpublished_ambassadors` in the returned counts says how many.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import time
import unicodedata
from pathlib import Path

import phonenumbers

SIZES = {
    "national": dict(districts=12, municipalities=98, localities=2000, news=20000, events=2000, ambassadors=6000),
    "small": dict(districts=12, municipalities=98, localities=200, news=2000, events=200, ambassadors=600),
}
TODAY = dt.date(2026, 12, 1)  # the build date the corpus is made for: builds run with --today 2026-12-01

LOCALITIES_PER_OFFICER = 4
NEWS_SPAN_DAYS = 3 * 365  # news and events go back about three years before TODAY
EVENTS_AHEAD_DAYS = 120  # events also go a few months past TODAY
BASE_URL = "https://naerpoliti.example.dk/"

# --------------------------------------------------------------------------------------------
# Places. The 12 police districts (politikredse) and the 98 municipalities (kommuner), each in its
# district; per municipality its main town's approximate coordinates and real towns with postcodes.

DISTRICTS = [
    ("nordsjaelland", "Nordsjællands Politi"),
    ("koebenhavn", "Københavns Politi"),
    ("koebenhavns-vestegn", "Københavns Vestegns Politi"),
    ("midt-vestsjaelland", "Midt- og Vestsjællands Politi"),
    ("sydsjaelland-lolland-falster", "Sydsjællands og Lolland-Falsters Politi"),
    ("fyn", "Fyns Politi"),
    ("sydoestjylland", "Sydøstjyllands Politi"),
    ("syd-soenderjylland", "Syd- og Sønderjyllands Politi"),
    ("midt-vestjylland", "Midt- og Vestjyllands Politi"),
    ("oestjylland", "Østjyllands Politi"),
    ("nordjylland", "Nordjyllands Politi"),
    ("bornholm", "Bornholms Politi"),
]

# (district id, short name, full name or None for "<short> Kommune", (lat, lon) of the first
# town, "Town:postcode, Town:postcode, ...") -- the first town is the municipality's main town.
MUNICIPALITIES = [
    ("nordsjaelland", "Allerød", None, (55.871, 12.357), "Lillerød:3450, Blovstrød:3450, Lynge:3540"),
    ("nordsjaelland", "Egedal", None, (55.795, 12.160), "Ølstykke:3650, Stenløse:3660, Smørum:2765"),
    ("nordsjaelland", "Fredensborg", None, (55.975, 12.403), "Fredensborg:3480, Humlebæk:3050, Kokkedal:2980, Nivå:2990"),
    ("nordsjaelland", "Frederikssund", None, (55.840, 12.069), "Frederikssund:3600, Skibby:4050, Slangerup:3550, Jægerspris:3630"),
    ("nordsjaelland", "Furesø", None, (55.808, 12.357), "Farum:3520, Værløse:3500"),
    ("nordsjaelland", "Gentofte", None, (55.750, 12.550), "Gentofte:2820, Hellerup:2900, Charlottenlund:2920, Klampenborg:2930"),
    ("nordsjaelland", "Gladsaxe", None, (55.730, 12.490), "Søborg:2860, Bagsværd:2880, Buddinge:2860"),
    ("nordsjaelland", "Gribskov", None, (56.021, 12.200), "Helsinge:3200, Gilleleje:3250, Græsted:3230, Vejby:3210"),
    ("nordsjaelland", "Halsnæs", None, (55.972, 12.020), "Frederiksværk:3300, Hundested:3390, Ølsted:3310"),
    ("nordsjaelland", "Helsingør", None, (56.032, 12.591), "Helsingør:3000, Espergærde:3060, Hornbæk:3100, Snekkersten:3070"),
    ("nordsjaelland", "Hillerød", None, (55.927, 12.300), "Hillerød:3400, Skævinge:3320, Gadevang:3400"),
    ("nordsjaelland", "Hørsholm", None, (55.881, 12.501), "Hørsholm:2970, Rungsted:2960"),
    ("nordsjaelland", "Lyngby-Taarbæk", None, (55.771, 12.504), "Kongens Lyngby:2800, Virum:2830, Taarbæk:2930"),
    ("nordsjaelland", "Rudersdal", None, (55.813, 12.467), "Holte:2840, Birkerød:3460, Nærum:2850, Vedbæk:2950"),
    ("koebenhavn", "København", "Københavns Kommune", (55.679, 12.571),
     "Indre By:1050, Østerbro:2100, Nørrebro:2200, Vesterbro:1620, Amager:2300, Valby:2500, Vanløse:2720, "
     "Brønshøj:2700, Bispebjerg:2400, Sydhavnen:2450"),
    ("koebenhavn", "Frederiksberg", None, (55.678, 12.532), "Frederiksberg:2000, Frederiksberg C:1850"),
    ("koebenhavn", "Dragør", None, (55.594, 12.672), "Dragør:2791, Store Magleby:2791"),
    ("koebenhavn", "Tårnby", None, (55.630, 12.600), "Kastrup:2770, Tårnby:2770"),
    ("koebenhavns-vestegn", "Albertslund", None, (55.657, 12.364), "Albertslund:2620, Hyldespjældet:2620, Vridsløselille:2620"),
    ("koebenhavns-vestegn", "Ballerup", None, (55.731, 12.363), "Ballerup:2750, Skovlunde:2740, Måløv:2760"),
    ("koebenhavns-vestegn", "Brøndby", None, (55.648, 12.418), "Brøndbyvester:2605, Brøndby Strand:2660, Brøndbyøster:2605"),
    ("koebenhavns-vestegn", "Glostrup", None, (55.667, 12.400), "Glostrup:2600, Hvissinge:2600"),
    ("koebenhavns-vestegn", "Herlev", None, (55.724, 12.440), "Herlev:2730, Hjortespring:2730"),
    ("koebenhavns-vestegn", "Hvidovre", None, (55.650, 12.475), "Hvidovre:2650, Avedøre:2650"),
    ("koebenhavns-vestegn", "Høje-Taastrup", None, (55.650, 12.270), "Taastrup:2630, Hedehusene:2640, Fløng:2640"),
    ("koebenhavns-vestegn", "Ishøj", None, (55.615, 12.352), "Ishøj:2635, Ishøj Strand:2635"),
    ("koebenhavns-vestegn", "Rødovre", None, (55.681, 12.454), "Rødovre:2610, Islev:2610"),
    ("koebenhavns-vestegn", "Vallensbæk", None, (55.624, 12.385), "Vallensbæk:2625, Vallensbæk Strand:2665"),
    ("midt-vestsjaelland", "Greve", None, (55.583, 12.300), "Greve:2670, Karlslunde:2690, Tune:4030"),
    ("midt-vestsjaelland", "Holbæk", None, (55.717, 11.713), "Holbæk:4300, Tølløse:4340, Jyderup:4450, Svinninge:4520"),
    ("midt-vestsjaelland", "Kalundborg", None, (55.680, 11.089), "Kalundborg:4400, Høng:4270, Gørlev:4281, Svebølle:4470"),
    ("midt-vestsjaelland", "Lejre", None, (55.590, 11.860), "Hvalsø:4330, Lejre:4320, Kirke Hyllinge:4070, Osted:4320"),
    ("midt-vestsjaelland", "Odsherred", None, (55.923, 11.670), "Nykøbing Sjælland:4500, Asnæs:4550, Vig:4560, Højby:4573"),
    ("midt-vestsjaelland", "Ringsted", None, (55.443, 11.790), "Ringsted:4100, Benløse:4100"),
    ("midt-vestsjaelland", "Roskilde", None, (55.642, 12.080), "Roskilde:4000, Jyllinge:4040, Viby Sjælland:4130, Gundsømagle:4000"),
    ("midt-vestsjaelland", "Slagelse", None, (55.403, 11.354), "Slagelse:4200, Korsør:4220, Skælskør:4230"),
    ("midt-vestsjaelland", "Solrød", None, (55.534, 12.220), "Solrød Strand:2680, Havdrup:4622, Jersie:2680"),
    ("midt-vestsjaelland", "Sorø", None, (55.432, 11.556), "Sorø:4180, Dianalund:4293"),
    ("sydsjaelland-lolland-falster", "Faxe", None, (55.256, 12.119), "Faxe:4640, Haslev:4690, Rønnede:4683, Karise:4653"),
    ("sydsjaelland-lolland-falster", "Guldborgsund", None, (54.769, 11.874),
     "Nykøbing Falster:4800, Stubbekøbing:4850, Nørre Alslev:4840, Sakskøbing:4990"),
    ("sydsjaelland-lolland-falster", "Køge", None, (55.458, 12.182), "Køge:4600, Borup:4140, Ejby:4623, Herfølge:4681"),
    ("sydsjaelland-lolland-falster", "Lolland", None, (54.830, 11.137), "Nakskov:4900, Maribo:4930, Rødby:4970"),
    ("sydsjaelland-lolland-falster", "Næstved", None, (55.230, 11.761),
     "Næstved:4700, Glumsø:4171, Fuglebjerg:4250, Holme-Olstrup:4684, Karrebæksminde:4736"),
    ("sydsjaelland-lolland-falster", "Stevns", None, (55.313, 12.389), "Store Heddinge:4660, Hårlev:4652, Strøby Egede:4600"),
    ("sydsjaelland-lolland-falster", "Vordingborg", None, (55.009, 11.911), "Vordingborg:4760, Præstø:4720, Stege:4780, Lundby:4750"),
    ("fyn", "Assens", None, (55.270, 9.900), "Assens:5610, Glamsbjerg:5620, Vissenbjerg:5492, Aarup:5560"),
    ("fyn", "Faaborg-Midtfyn", None, (55.095, 10.242), "Faaborg:5600, Ringe:5750, Årslev:5792, Nørre Lyndelse:5792"),
    ("fyn", "Kerteminde", None, (55.449, 10.658), "Kerteminde:5300, Munkebo:5330, Langeskov:5550"),
    ("fyn", "Langeland", None, (54.936, 10.713), "Rudkøbing:5900, Tranekær:5953"),
    ("fyn", "Middelfart", None, (55.506, 9.730), "Middelfart:5500, Nørre Aaby:5580, Ejby:5592"),
    ("fyn", "Nordfyn", "Nordfyns Kommune", (55.567, 10.093), "Bogense:5400, Søndersø:5471, Otterup:5450"),
    ("fyn", "Nyborg", None, (55.312, 10.790), "Nyborg:5800, Ørbæk:5853"),
    ("fyn", "Odense", None, (55.396, 10.388), "Odense:5000, Dalum:5250, Tarup:5210, Bellinge:5250, Vollsmose:5240"),
    ("fyn", "Svendborg", None, (55.060, 10.607), "Svendborg:5700, Gudme:5884, Stenstrup:5771, Thurø:5700"),
    ("fyn", "Ærø", None, (54.888, 10.412), "Ærøskøbing:5970, Marstal:5960"),
    ("sydoestjylland", "Billund", None, (55.731, 9.109), "Billund:7190, Grindsted:7200, Vorbasse:6623"),
    ("sydoestjylland", "Fredericia", None, (55.566, 9.753), "Fredericia:7000, Taulov:7000, Erritsø:7000"),
    ("sydoestjylland", "Hedensted", None, (55.770, 9.701), "Hedensted:8722, Juelsminde:7130, Tørring:7160, Løsning:8723"),
    ("sydoestjylland", "Horsens", None, (55.861, 9.850), "Horsens:8700, Brædstrup:8740, Gedved:8751, Hovedgård:8732"),
    ("sydoestjylland", "Kolding", None, (55.491, 9.472), "Kolding:6000, Vamdrup:6580, Lunderskov:6640, Christiansfeld:6070"),
    ("sydoestjylland", "Vejle", None, (55.709, 9.536), "Vejle:7100, Jelling:7300, Give:7323, Børkop:7080"),
    ("syd-soenderjylland", "Aabenraa", None, (55.044, 9.418), "Aabenraa:6200, Rødekro:6230, Padborg:6330, Tinglev:6360"),
    ("syd-soenderjylland", "Esbjerg", None, (55.476, 8.459), "Esbjerg:6700, Ribe:6760, Bramming:6740, Gredstedbro:6771"),
    ("syd-soenderjylland", "Fanø", None, (55.443, 8.409), "Nordby:6720, Sønderho:6720"),
    ("syd-soenderjylland", "Haderslev", None, (55.249, 9.488), "Haderslev:6100, Vojens:6500, Gram:6510"),
    ("syd-soenderjylland", "Sønderborg", None, (54.909, 9.792), "Sønderborg:6400, Nordborg:6430, Augustenborg:6440, Gråsten:6300"),
    ("syd-soenderjylland", "Tønder", None, (54.933, 8.864), "Tønder:6270, Skærbæk:6780, Toftlund:6520, Løgumkloster:6240"),
    ("syd-soenderjylland", "Varde", None, (55.621, 8.481), "Varde:6800, Oksbøl:6840, Ølgod:6870, Nørre Nebel:6830"),
    ("syd-soenderjylland", "Vejen", None, (55.481, 9.137), "Vejen:6600, Brørup:6650, Rødding:6630, Holsted:6670"),
    ("midt-vestjylland", "Herning", None, (56.139, 8.974), "Herning:7400, Sunds:7451, Aulum:7490, Kibæk:6933"),
    ("midt-vestjylland", "Holstebro", None, (56.360, 8.616), "Holstebro:7500, Vinderup:7830, Ulfborg:6990"),
    ("midt-vestjylland", "Ikast-Brande", None, (56.139, 9.158), "Ikast:7430, Brande:7330, Bording:7441"),
    ("midt-vestjylland", "Lemvig", None, (56.548, 8.310), "Lemvig:7620, Harboøre:7673, Thyborøn:7680"),
    ("midt-vestjylland", "Ringkøbing-Skjern", None, (56.090, 8.244), "Ringkøbing:6950, Skjern:6900, Hvide Sande:6960, Tarm:6880"),
    ("midt-vestjylland", "Silkeborg", None, (56.170, 9.548), "Silkeborg:8600, Kjellerup:8620, Them:8653, Gjern:8883"),
    ("midt-vestjylland", "Skive", None, (56.567, 9.027), "Skive:7800, Roslev:7870, Balling:7860, Højslev:7840"),
    ("midt-vestjylland", "Struer", None, (56.491, 8.594), "Struer:7600, Hjerm:7560, Humlum:7600"),
    ("midt-vestjylland", "Viborg", None, (56.453, 9.402), "Viborg:8800, Bjerringbro:8850, Karup:7470, Stoholm:7850"),
    ("oestjylland", "Aarhus", None, (56.157, 10.211),
     "Aarhus C:8000, Viby J:8260, Brabrand:8220, Risskov:8240, Lystrup:8520, Tilst:8381, Højbjerg:8270"),
    ("oestjylland", "Favrskov", None, (56.274, 10.060), "Hinnerup:8382, Hadsten:8370, Hammel:8450"),
    ("oestjylland", "Norddjurs", None, (56.412, 10.877), "Grenaa:8500, Auning:8963, Ørsted:8950"),
    ("oestjylland", "Odder", None, (55.973, 10.153), "Odder:8300, Hou:8300"),
    ("oestjylland", "Randers", None, (56.461, 10.036), "Randers:8900, Langå:8870, Spentrup:8981, Assentoft:8960"),
    ("oestjylland", "Samsø", None, (55.830, 10.590), "Tranebjerg:8305, Ballen:8305"),
    ("oestjylland", "Skanderborg", None, (56.037, 9.930), "Skanderborg:8660, Ry:8680, Galten:8464, Hørning:8362"),
    ("oestjylland", "Syddjurs", None, (56.194, 10.678), "Ebeltoft:8400, Rønde:8410, Kolind:8560, Hornslet:8543"),
    ("nordjylland", "Aalborg", None, (57.048, 9.919), "Aalborg:9000, Nørresundby:9400, Svenstrup:9230, Nibe:9240, Storvorde:9280"),
    ("nordjylland", "Brønderslev", None, (57.270, 9.944), "Brønderslev:9700, Dronninglund:9330, Hjallerup:9320"),
    ("nordjylland", "Frederikshavn", None, (57.441, 10.536), "Frederikshavn:9900, Sæby:9300, Skagen:9990"),
    ("nordjylland", "Hjørring", None, (57.464, 9.982), "Hjørring:9800, Hirtshals:9850, Sindal:9870, Løkken:9480"),
    ("nordjylland", "Jammerbugt", None, (57.157, 9.731), "Aabybro:9440, Brovst:9460, Fjerritslev:9690, Pandrup:9490"),
    ("nordjylland", "Læsø", None, (57.253, 11.000), "Byrum:9940, Vesterø Havn:9940"),
    ("nordjylland", "Mariagerfjord", None, (56.638, 9.794), "Hobro:9500, Mariager:9550, Hadsund:9560, Arden:9510"),
    ("nordjylland", "Morsø", None, (56.793, 8.864), "Nykøbing Mors:7900, Karby:7960"),
    ("nordjylland", "Rebild", None, (56.886, 9.843), "Støvring:9530, Skørping:9520, Nørager:9610"),
    ("nordjylland", "Thisted", None, (56.955, 8.694), "Thisted:7700, Hanstholm:7730, Hurup Thy:7760, Snedsted:7752"),
    ("nordjylland", "Vesthimmerland", None, (56.802, 9.519), "Aars:9600, Farsø:9640, Løgstør:9670"),
    ("bornholm", "Bornholm", "Bornholms Regionskommune", (55.103, 14.700),
     "Rønne:3700, Nexø:3730, Aakirkeby:3720, Allinge:3770, Svaneke:3740, Hasle:3790"),
]
BIG_CITIES = {"koebenhavn": 8, "aarhus": 6, "odense": 4, "aalborg": 4}  # extra weight for localities

# Denmark, roughly: generated coordinates are clamped to this box.
LAT_RANGE, LON_RANGE = (54.56, 57.75), (8.08, 15.19)

SUFFIXES = ["", " Nord", " Syd", " Øst", " Vest", " Midtby", " Centrum", " Land", " Omegn",
            " Nordvest", " Sydvest", " Nordøst", " Sydøst"]

# --------------------------------------------------------------------------------------------
# People (all invented combinations of common names).

FIRST_NAMES = [
    "Anne", "Mette", "Hanne", "Susanne", "Lene", "Marianne", "Camilla", "Louise", "Charlotte", "Tina",
    "Pia", "Helle", "Maria", "Rikke", "Julie", "Sofie", "Ida", "Emma", "Laura", "Karen", "Birthe",
    "Inge", "Kirsten", "Bente", "Lone", "Sanne", "Trine", "Maja", "Freja", "Nanna", "Signe", "Astrid",
    "Peter", "Jens", "Lars", "Søren", "Niels", "Michael", "Henrik", "Thomas", "Jan", "Morten", "Anders",
    "Martin", "Jesper", "Rasmus", "Kasper", "Mads", "Jonas", "Christian", "Frederik", "Mikkel", "Poul",
    "Ole", "Bent", "Erik", "Kim", "Torben", "Claus", "Bo", "Jørgen", "Steen", "Allan", "Brian", "Emil",
    "Oliver", "Magnus", "Asger", "Troels", "Gunnar", "Villads", "Aksel", "Esben", "Ulla", "Grethe",
]
MIDDLE_NAMES = [
    "Bach", "Holm", "Dam", "Lund", "Skov", "Kjær", "Bøgh", "Ravn", "Krog", "Bang", "Brink", "Juul",
    "Vestergaard", "Østergaard", "Damgaard", "Kirkegaard", "Bundgaard", "Højgaard", "Egholm", "Okkels",
    "Hvidtfeldt", "Lykke", "Storm", "Winther", "Munk", "Friis", "Gade", "Mølgaard",
]
LAST_NAMES = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Christiansen",
    "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen", "Mikkelsen", "Frederiksen",
    "Laursen", "Henriksen", "Lund", "Holm", "Schmidt", "Eriksen", "Kristiansen", "Simonsen", "Clausen",
    "Svendsen", "Andreasen", "Iversen", "Jeppesen", "Vestergaard", "Mogensen", "Nissen", "Lauridsen",
    "Frandsen", "Østergaard", "Jepsen", "Kjær", "Carlsen", "Dahl", "Thygesen", "Lindholm", "Frost",
    "Holt", "Sandholt", "Bertelsen", "Lassen", "Mathiesen", "Overgaard", "Toft", "Bonde", "Krogh",
]
OFFICER_TITLES = ["Områdebetjent", "Lokalbetjent", "Netværksbetjent", "Nærpolitibetjent"]
STATION_KINDS = ["Politistation", "Lokalstation", "Nærpolitistation"]
STREETS = ["Eksempelvej", "Prøvegade", "Demovej", "Testallé", "Modelvej", "Øvelsesgade", "Skitsevej",
           "Udkastvej", "Forsøgsallé", "Mønstergade"]
OPENING_HOURS = ["Mandag–torsdag kl. 10–14", "Mandag–fredag kl. 9–15", "Tirsdag og torsdag kl. 10–13",
                 "Mandag–fredag kl. 10–14, torsdag også kl. 15–18", "Onsdag kl. 12–17"]

AMBASSADOR_ROLES = [
    "Formand for {place} Borgerforening", "Medlem af {place} Lokalråd", "Købmand i {place}",
    "Træner i {place} Idrætsforening", "Kirkesanger i sognet", "Pensioneret skolelærer",
    "Formand for en grundejerforening i {place}", "Frivillig i ungdomsklubben", "Nabohjælper i {place}",
    "Ejer af pizzeriaet på torvet", "Bestyrelsesmedlem i boligforeningen", "Spejderleder i {place}",
    "Frivillig i natteravnene", "Formand for forældrebestyrelsen på skolen", "Beboerrådgiver",
]

# --------------------------------------------------------------------------------------------
# Text. News topics: title templates and matching sentences and advice ({sted} is the place).

TOPICS = {
    "indbrud": dict(
        titles=["Sådan sikrer du dit hjem mod indbrud i {sted}", "Flere indbrud i villakvartererne i {sted}",
                "Borgermøde om indbrud i {sted}", "Færre indbrud i {sted} efter fælles indsats"],
        sentences=[
            "Politiet har i de seneste uger registreret flere indbrud i villakvartererne i {sted}.",
            "Tyvene går typisk efter huse, hvor der ikke er lys, og hvor postkassen ikke er tømt.",
            "Områdebetjenten kører ekstra patruljer om aftenen, men har brug for jeres hjælp.",
            "Mange indbrud sker i dagtimerne, mens beboerne er på arbejde.",
            "Et godt naboskab er stadig den bedste beskyttelse mod indbrud.",
        ],
        tips=["Lås døre og vinduer, også når du bare er i haven.", "Brug tænd-sluk-ur på lamperne.",
              "Bed en nabo om at tømme postkassen, når du er væk.", "Meld dig til Nabohjælp.",
              "Skriv ikke på sociale medier, at du er på ferie.", "Opbevar nøgler, så de ikke kan ses udefra."],
    ),
    "trafik": dict(
        titles=["Hastighedskontrol på skolevejen i {sted}", "For høj fart gennem {sted}",
                "Trafiksikkerhed ved skolen i {sted}", "Knallertkørsel på stierne i {sted}"],
        sentences=[
            "Borgere i {sted} har peget på, at mange kører for stærkt om morgenen.",
            "Politiet har målt hastigheden på de strækninger, som lokalrådet har peget på.",
            "Resultaterne deles med kommunen, som vurderer, om vejen skal ombygges.",
            "Vi holder også øje med knallerter, der kører på stier og fortove.",
            "Sikker trafik omkring skolen er et fælles ansvar for forældre, skole og politi.",
        ],
        tips=["Sænk farten i nærheden af skoler og institutioner.", "Aflever børnene på den anviste plads.",
              "Brug cykelhjelm og lys på cyklen.", "Tal med dine børn om den sikreste vej til skole."],
    ),
    "unge": dict(
        titles=["Fælles indsats mod utryghed ved busterminalen i {sted}", "Unge og tryghed i {sted}",
                "Opsøgende arbejde i {sted} om aftenen", "Dialogmøde om unge i {sted}"],
        sentences=[
            "Nogle borgere i {sted} føler sig utrygge, når grupper af unge samles om aftenen.",
            "Politiet, SSP og den lokale ungdomsklub har lagt en fælles plan.",
            "De fleste unge opfører sig ordentligt, og vi vil gerne have dem med i løsningen.",
            "Gadeplansmedarbejderne taler med de unge og henviser til fritidstilbud.",
            "Forældre er velkomne til at kontakte lokalbetjenten, hvis de er bekymrede.",
        ],
        tips=["Tal med dine børn om, hvor de er om aftenen.", "Kontakt SSP, hvis du er bekymret for en ung.",
              "Meld hærværk til politiet på 114.", "Bak op om de lokale klubtilbud."],
    ),
    "svindel": dict(
        titles=["Pas på telefonsvindel i {sted}", "Falske håndværkere ringer på i {sted}",
                "Svindlere udgiver sig for at være fra banken", "Gode råd mod svindel til ældre i {sted}"],
        sentences=[
            "Flere ældre borgere i {sted} er blevet ringet op af personer, der udgiver sig for at være fra banken.",
            "Svindlerne er dygtige og lyder meget troværdige.",
            "Banken og politiet beder dig aldrig om din kode eller dit betalingskort.",
            "Har du været udsat for svindel, så kontakt straks din bank og derefter politiet.",
            "Tal med dine ældre naboer og familiemedlemmer om de typiske tricks.",
        ],
        tips=["Læg på, hvis nogen beder om din kode.", "Luk aldrig ukendte ind i dit hjem.",
              "Ring selv tilbage til banken på det nummer, du kender.", "Giv aldrig dit betalingskort fra dig."],
    ),
    "tryghedsvandring": dict(
        titles=["Tryghedsvandring i {sted}", "Resultatet af tryghedsvandringen i {sted}",
                "Mørke stier og hjørner i {sted} skal have mere lys"],
        sentences=[
            "Sammen med lokalrådet gik politiet en tur gennem {sted} en mørk aften.",
            "Deltagerne pegede på stier og hjørner, hvor de føler sig utrygge.",
            "Forslagene om bedre belysning er givet videre til kommunen.",
            "Vi kører i mellemtiden flere ture forbi de steder, der blev nævnt.",
            "Tak til alle, der deltog og delte deres erfaringer.",
        ],
        tips=["Fortæl lokalrådet om steder, hvor du føler dig utryg.", "Meld ødelagte gadelamper til kommunen.",
              "Gå sammen med andre, hvis du er utryg.", "Hold buske og hække nede ved stier."],
    ),
    "ambassadoerer": dict(
        titles=["Nye tryghedsambassadører i {sted}", "Mød tryghedsambassadørerne i {sted}",
                "Tryghedsambassadørerne i {sted} har holdt møde med politiet"],
        sentences=[
            "I {sted} er der nu tryghedsambassadører, som holder politiet orienteret om, hvad der rører sig.",
            "Ambassadørerne er lokale ildsjæle fra foreninger, butikker og boligområder.",
            "De er ikke politifolk og har ingen særlige beføjelser.",
            "Ambassadørerne mødes med områdebetjenten et par gange om året.",
            "Vil du høre mere om ordningen, så kontakt din lokale betjent.",
        ],
        tips=["Kontakt en ambassadør, hvis du har en idé til en tryghedsindsats.",
              "Husk, at ambassadørerne ikke kan modtage anmeldelser.", "Ring 112, når det haster."],
    ),
    "mobil": dict(
        titles=["Den mobile politistation kommer til {sted}", "Mød politiet på torvet i {sted}",
                "Den mobile politistation har været i {sted}"],
        sentences=[
            "Den mobile politistation holder på torvet i {sted}, hvor du kan få en snak med politiet.",
            "Du kan få råd om alt fra cykeltyveri til digitale krænkelser.",
            "Du kan også få hjælp til at anmelde noget, der er sket.",
            "Sidste gang kom over hundrede borgere forbi til en kop kaffe.",
            "Se kalenderen for de næste besøg i dit område.",
        ],
        tips=["Tag gerne dine spørgsmål med.", "Kom forbi med børnene og se politibilen.",
              "Få dit cykelstelnummer registreret."],
    ),
    "nytaar": dict(
        titles=["Gode råd til nytårsaften i {sted}", "Fyrværkeri og tryghed i {sted}",
                "Politiet er til stede nytårsaften i {sted}"],
        sentences=[
            "Nytårsaften er en fest for de fleste, men fyrværkeri kan skabe utryghed og skader.",
            "Politiet vil være synligt til stede i {sted} nytårsaften.",
            "Det er kun tilladt at affyre fyrværkeri i de tidsrum, loven fastsætter.",
            "Vis hensyn til naboer, dyr og ældre, som kan blive forskrækkede.",
        ],
        tips=["Brug altid beskyttelsesbriller.", "Ret aldrig fyrværkeri mod mennesker.",
              "Hold dyr indendørs.", "Ryd op efter dig dagen efter."],
    ),
    "cykel": dict(
        titles=["Mange cykeltyverier ved stationen i {sted}", "Sådan undgår du cykeltyveri i {sted}"],
        sentences=[
            "Der er stjålet mange cykler ved stationen i {sted} den seneste måned.",
            "Mange af cyklerne var ikke låst til et fast punkt.",
            "Politiet finder jævnligt cykler, som ikke kan leveres tilbage, fordi ejeren er ukendt.",
            "Noter cyklens stelnummer, så den kan findes igen.",
        ],
        tips=["Lås cyklen til et fast punkt.", "Brug en godkendt lås.", "Noter stelnummeret.",
              "Anmeld tyveriet på politi.dk."],
    ),
    "netvaerk": dict(
        titles=["Netværksmøde med lokalrådene i {sted}", "Politi og lokalråd i {sted} styrker samarbejdet",
                "Årsmøde i det lokale tryghedsnetværk i {sted}"],
        sentences=[
            "Politiet har holdt møde med lokalrådene i {sted} om det kommende års indsatser.",
            "Lokalrådene kender deres område og er vigtige samarbejdspartnere for politiet.",
            "På mødet blev der aftalt nye fokusområder, blandt andet trafik og indbrud.",
            "Referatet kan læses hos lokalrådet.",
            "Næste møde holdes til foråret.",
        ],
        tips=["Kontakt dit lokalråd, hvis du vil være med.", "Følg med i nyhedsbrevet for dit område.",
              "Kom med forslag til næste møde."],
    ),
}
TOPIC_NAMES = sorted(TOPICS)

GENERIC_SENTENCES = [
    "Har du spørgsmål, er du altid velkommen til at kontakte din lokale betjent.",
    "Ser du noget mistænkeligt, så ring til politiet på **114**.",
    "Er der en forbrydelse i gang, så ring **112**.",
    "Vi følger udviklingen tæt og vender tilbage, når vi ved mere.",
    "Samarbejdet med borgerne er afgørende for, at vi kan gøre en forskel.",
    "Indsatsen fortsætter i de kommende måneder.",
    "Politiet takker for de mange henvendelser, som har hjulpet os i arbejdet.",
    "Du kan også møde politiet ved de åbne lokalrådsmøder.",
    "Tal gerne med dine naboer om, hvad I selv kan gøre.",
    "Mange små skridt gør tilsammen en stor forskel for trygheden.",
    "Kommunen og politiet mødes jævnligt for at koordinere indsatsen.",
    "Vi sætter pris på, at borgerne i {sted} engagerer sig i trygheden.",
    "Husk, at du altid kan anmelde en sag på politi.dk.",
    "Det er vigtigt for os at høre, hvordan du oplever trygheden i dit område.",
]
# Sentences made of parts (12 x 10 x 12 x 10 of them), so long items do not repeat themselves.
SUBJECTS = ["Politiet", "Områdebetjenten", "Lokalrådet", "Kommunen", "Netværksbetjenten",
            "Tryghedsambassadørerne", "Skolen", "Boligforeningen", "SSP-medarbejderne", "Borgerforeningen",
            "Natteravnene", "Grundejerforeningen"]
PREDICATES = ["har drøftet {obj}", "følger op på {obj}", "sætter fokus på {obj}", "har fået henvendelser om {obj}",
              "vil gerne høre mere om {obj}", "arbejder videre med {obj}", "har lagt en plan for {obj}",
              "inviterer til en snak om {obj}", "holder øje med {obj}", "har gjort status over {obj}"]
OBJECTS = ["trygheden i {sted}", "trafikken omkring skolen", "indbrud i villakvartererne", "belysningen på stierne",
           "de unges fritidstilbud", "hærværk ved hallen", "parkering ved stationen", "svindel mod ældre",
           "knallertkørsel på stierne", "nabohjælp i boligområderne", "nattelivet i weekenden",
           "cykeltyverier ved stationen"]
WHEN = ["i denne måned", "i de kommende uger", "hen over vinteren", "efter sommerferien",
        "i samarbejde med kommunen", "sammen med borgerne", "på næste møde", "frem mod jul",
        "i løbet af foråret", ""]
HEADINGS = ["Gode råd", "Det kan du selv gøre", "Hvad sker der nu?", "Baggrund", "Sådan kontakter du os",
            "Tal med os", "Det har vi aftalt"]
LINKS = [
    ("Læs mere om kriminalitetsforebyggelse", "https://example.dk/forebyggelse"),
    ("Se kommunens plan for tryghed", "https://example.dk/kommune/tryghed"),
    ("Meld dig til Nabohjælp", "https://example.dk/nabohjaelp"),
    ("Læs lokalrådets referat", "https://example.dk/lokalraad/referat"),
    ("Find mere om svindel og gode råd", "https://example.dk/raad-om-svindel"),
    ("Se oversigten over SSP-samarbejdet", "https://example.dk/ssp"),
]
SUMMARIES = [
    "Gode råd fra din lokale betjent.", "Politiet og lokalrådet står sammen om trygheden.",
    "Her er, hvad du skal vide, og hvad du selv kan gøre.", "En kort status på indsatsen i området.",
    "Politiet har brug for din hjælp.", "Nyt fra dit lokale politi.",
]

EVENT_KINDS = ["open-council-meeting", "citizen-meeting", "mobile-police-station", "other"]
EVENT_TITLES = {
    "open-council-meeting": ["Åbent lokalrådsmøde om tryghed i {sted}", "Åbent lokalrådsmøde i {sted}",
                             "Lokalrådet i {sted} inviterer til åbent møde"],
    "citizen-meeting": ["Borgermøde om indbrud i {sted}", "Borgermøde om trafik i {sted}",
                        "Borgermøde om unge og tryghed i {sted}", "Informationsmøde om svindel i {sted}"],
    "mobile-police-station": ["Den mobile politistation på torvet i {sted}", "Mød politiet i {sted}",
                              "Den mobile politistation besøger {sted}"],
    "other": ["Tryghedsvandring i {sted}", "Kaffe med lokalbetjenten i {sted}", "Cykeltjek ved skolen i {sted}",
              "Fællesmøde for tryghedsambassadørerne i {sted}"],
}
EVENT_SENTENCES = [
    "Alle borgere i {sted} er velkomne.", "Der er kaffe og kage.", "Det er ikke nødvendigt at tilmelde sig.",
    "Politiet fortæller om kriminalitetsbilledet i området.", "Kommunen deltager også og svarer på spørgsmål.",
    "Tag gerne dine naboer med.", "Mødet er gratis og åbent for alle.",
    "Du kan stille spørgsmål til politiet og få gode råd.", "Lokalrådet samler op på de seneste indsatser.",
    "Vi slutter af med en fælles snak om, hvad der skal ske nu.",
]
VENUES = ["Forsamlingshuset", "Medborgerhuset", "Biblioteket", "Skolens aula", "Idrætshallen", "Kulturhuset",
          "Sognegården", "Borgerhuset", "Klubhuset"]

ISSUES = [
    ("Indbrud i villakvarterer", "Ekstra patruljer om aftenen og informationsmøde om indbrudsforebyggelse"),
    ("Trafik på skolevejen", "Hastighedskontroller om morgenen i samarbejde med skolen og kommunen"),
    ("Unge der skaber utryghed om aftenen", "Fælles opsøgende indsats med SSP og den lokale ungdomsklub"),
    ("Utryghed på stationen om aftenen", "Tryghedsvandring og dialog med kommunen om bedre belysning"),
    ("For høj fart gennem byen", "Hastighedskontroller på de strækninger, lokalrådet har peget på"),
    ("Tyveri fra udhuse og landbrugsbygninger", "Gode råd om sikring og opfordring til at melde mistænkelige biler"),
    ("Telefonsvindel mod ældre", "Informationsmøder i foreninger og på plejecentre"),
    ("Cykeltyverier ved stationen", "Synlig patrulje og registrering af stelnumre"),
    ("Knallertkørsel på stier og fortove", "Kontroller på stisystemet og dialog med forældre via skolerne"),
]
DESCRIPTIONS = [
    "{name} ligger i {muni}. Områdebetjenten kommer jævnligt forbi og holder kontakten med lokalrådet.",
    "I {name} samarbejder politiet med lokalrådet og foreningerne om **tryghed** i hverdagen.",
    "{name} er en del af politiets lokale netværk i {muni}, med faste møder og en fast kontaktbetjent.",
    "Politiet i {name} arbejder tæt sammen med kommunen, skolerne og boligforeningerne.",
    "{name} har sin egen kontaktbetjent, som kender området og de lokale foreninger.",
]


# --------------------------------------------------------------------------------------------
# Helpers

_TRANSLIT = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def slugify(text: str, max_len: int = 0) -> str:
    """'Glumsø' -> 'glumsoe': the id rule of the content format."""
    text = text.translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if max_len and len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0]
    return slug


_PLAIN = re.compile(r"[A-Za-zÆØÅæøåÉé][^\n\"'#]*")
_YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "y", "n", "null", "~"}


def q(text: str) -> str:
    """A YAML scalar: plain when that is safe, else double-quoted (JSON strings are valid YAML)."""
    if (_PLAIN.fullmatch(text) and ": " not in text and not text.endswith((":", " "))
            and text.lower() not in _YAML_WORDS):
        return text
    return json.dumps(text, ensure_ascii=False)


def scaled(n: int, fraction: float) -> int:
    return max(1, round(n * fraction))


def person_name(rng: random.Random) -> tuple[str, str, str]:
    """(full name, first name, last name)."""
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    if rng.random() < 0.4:
        middle = rng.choice(MIDDLE_NAMES)
        if middle != last:
            return f"{first} {middle} {last}", first, last
    return f"{first} {last}", first, last


def valid_phone(rng: random.Random, prefixes: list[str]) -> str:
    """An invented Danish number that phonenumbers accepts as valid, written '+45 xx xx xx xx'."""
    while True:
        prefix = rng.choice(prefixes)
        digits = prefix + "".join(str(rng.randrange(10)) for _ in range(8 - len(prefix)))
        text = f"+45 {digits[0:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]}"
        if phonenumbers.is_valid_number(phonenumbers.parse(text, "DK")):
            return text


def pick_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def clamp(value: float, lo_hi: tuple[float, float]) -> float:
    return min(max(value, lo_hi[0]), lo_hi[1])


class Sentences:
    """The sentences of one text, each used at most once: the topic's, then general ones, then
    sentences made of parts."""

    def __init__(self, rng: random.Random, place: str, *pools: list[str]):
        self.rng = rng
        self.place = place
        self.decks = [rng.sample(pool, len(pool)) for pool in pools]

    def made(self) -> str:
        r = self.rng
        obj = r.choice(OBJECTS).format(sted=self.place)
        when = r.choice(WHEN)
        return f"{r.choice(SUBJECTS)} {r.choice(PREDICATES).format(obj=obj)}{' ' + when if when else ''}."

    def take(self, n: int, deck: int = 0) -> str:
        out = []
        for _ in range(n):
            source = self.decks[deck] if deck < len(self.decks) and self.decks[deck] else None
            if source is None:  # that deck is used up: any other one, else a made sentence
                source = next((d for d in self.decks if d), None)
            out.append(source.pop().format(sted=self.place) if source else self.made())
        return " ".join(out)


# --------------------------------------------------------------------------------------------
# The registry: districts, municipalities, stations, officers, localities


def municipality_order() -> list[int]:
    """Indices of MUNICIPALITIES, round-robin over districts: any prefix of length >= 12 names
    every district."""
    by_district: dict[str, list[int]] = {}
    for i, m in enumerate(MUNICIPALITIES):
        by_district.setdefault(m[0], []).append(i)
    order, rank = [], 0
    while len(order) < len(MUNICIPALITIES):
        for did, _ in DISTRICTS:
            if rank < len(by_district[did]):
                order.append(by_district[did][rank])
        rank += 1
    return order


def make_municipalities(count: int) -> list[dict]:
    chosen = sorted(municipality_order()[:count])  # file order: as listed, district by district
    out = []
    for i in chosen:
        district, short, full, coords, towns = MUNICIPALITIES[i]
        out.append(dict(
            id=slugify(short), name=full or f"{short} Kommune", short=short, district=district, coords=coords,
            towns=[(t.split(":")[0].strip(), t.split(":")[1].strip()) for t in towns.split(",")],
        ))
    return out


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split total over len(weights) slots: at least one each when total allows, then by weight
    (largest remainder, ties by position)."""
    n = len(weights)
    if total < n:
        step = n / total
        picked = {int(i * step) for i in range(total)}
        return [1 if i in picked else 0 for i in range(n)]
    rest = total - n
    wsum = sum(weights)
    exact = [rest * w / wsum for w in weights]
    base = [int(e) for e in exact]
    left = rest - sum(base)
    order = sorted(range(n), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return [b + 1 for b in base]


def make_localities(rng: random.Random, municipalities: list[dict], count: int) -> list[dict]:
    weights = [len(m["towns"]) + BIG_CITIES.get(m["id"], 0) for m in municipalities]
    per_muni = allocate(count, weights)
    used_ids: set[str] = set()
    localities = []
    for m, n in zip(municipalities, per_muni):
        towns = m["towns"]
        candidates = []  # (name, town index)
        for suffix in SUFFIXES:
            candidates += [(f"{t}{suffix}", ti) for ti, (t, _) in enumerate(towns)]
        number = 2
        while len(candidates) < n:
            candidates += [(f"{t}{s} {number}", ti) for s in SUFFIXES[1:] for ti, (t, _) in enumerate(towns)]
            number += 1
        made = 0
        for name, ti in candidates:
            if made == n:
                break
            lid = slugify(name)
            if lid in used_ids:  # the same town name in two municipalities (Ejby, Højby ...)
                name = f"{name} ({m['short']})"
                lid = slugify(name)
                if lid in used_ids:
                    continue
            used_ids.add(lid)
            made += 1
            town, postcode = towns[ti]
            spread = 0.02 if ti == 0 else 0.09
            lat = clamp(round(m["coords"][0] + rng.uniform(-spread, spread), 4), LAT_RANGE)
            lon = clamp(round(m["coords"][1] + rng.uniform(-spread * 1.6, spread * 1.6), 4), LON_RANGE)
            postcodes = [postcode]
            if len(towns) > 1 and rng.random() < 0.15:
                other = towns[rng.randrange(len(towns))][1]
                if other not in postcodes:
                    postcodes.append(other)
            localities.append(dict(id=lid, name=name, municipality=m["id"], muni_name=m["name"],
                                   district=m["district"], town=town, postcodes=postcodes, coords=(lat, lon)))
    return localities


def make_stations(rng: random.Random, municipalities: list[dict]) -> list[dict]:
    stations = []
    for m in municipalities:
        town, postcode = m["towns"][0]
        kind = STATION_KINDS[0] if rng.random() < 0.6 else rng.choice(STATION_KINDS[1:])
        name = f"{town} {kind}" if kind == "Politistation" else f"{kind} {town}"
        st = dict(id=slugify(name), name=name, municipality=m["id"],
                  address=f"{rng.choice(STREETS)} {rng.randint(1, 120)}, {postcode} {town}",
                  opening_hours=rng.choice(OPENING_HOURS), coords=m["coords"])
        if rng.random() < 0.5:
            st["phone"] = valid_phone(rng, ["72", "73"])
        stations.append(st)
    return stations


def make_officers(rng: random.Random, localities: list[dict], stations: list[dict]) -> list[dict]:
    """One officer per LOCALITIES_PER_OFFICER consecutive localities, in one police district (a
    group may span two neighbouring municipalities); the officer's id is named after the group's
    first locality, and the officer works from the station of its municipality."""
    station_of = {s["municipality"]: s["id"] for s in stations}
    groups: list[list[dict]] = []
    for loc in localities:  # ordered by municipality, and municipalities by district
        if not groups or len(groups[-1]) == LOCALITIES_PER_OFFICER or groups[-1][0]["district"] != loc["district"]:
            groups.append([])
        groups[-1].append(loc)
    officers, emails = [], set()
    for group in groups:
        title = rng.choice(OFFICER_TITLES)
        name, first, last = person_name(rng)
        local = f"{slugify(first)}.{slugify(last)}".replace("-", ".")
        email, k = f"{local}@example.dk", 2
        while email in emails:
            email, k = f"{local}{k}@example.dk", k + 1
        emails.add(email)
        oid = f"{group[0]['id']}-{slugify(title)}"
        officers.append(dict(
            id=oid, name=name, title=title, phone=valid_phone(rng, ["72"]), email=email,
            station=station_of[group[0]["municipality"]],
            verified=TODAY - dt.timedelta(days=rng.randint(1, 330)),
        ))
        for loc in group:
            loc["officer"] = oid
    return officers


def write_registry(rng: random.Random, municipalities, stations, officers, localities) -> str:
    out = [
        "# Generated benchmark corpus for naerpoliti (bench/corpus.py): do not edit by hand.\n"
        "# The places are real; every person, address, phone number and e-mail address is invented.\n",
        "site:",
        "  title: Nærpoliti",
        f"  base_url: {BASE_URL}",
        "  language: da",
        "  timezone: Europe/Copenhagen",
        "  description: Nyt fra dit lokale politi, dine kontaktbetjente og tryghedsambassadørerne i hele Danmark.",
        "  newsletter:",
        "    period: month",
        "    from: nyhedsbrev@example.dk",
        "    reply_to: naerpoliti@example.dk",
        "    unsubscribe_email: afmeld@example.dk",
        "    unsubscribe_url: https://naerpoliti.example.dk/afmeld",
        "  accessibility_contact: tilgaengelighed@example.dk",
        "",
        "districts:",
    ]
    for did, name in DISTRICTS:
        out += [f"  - id: {did}", f"    name: {q(name)}", f"    url: https://politi.dk/{slugify(name)}"]
    out += ["", "municipalities:"]
    for m in municipalities:
        out += [f"  - id: {m['id']}", f"    name: {q(m['name'])}", f"    district: {m['district']}"]
    out += ["", "stations:"]
    for s in stations:
        out += [f"  - id: {s['id']}", f"    name: {q(s['name'])}", f"    address: {q(s['address'])}",
                f"    opening_hours: {q(s['opening_hours'])}"]
        if "phone" in s:
            out.append(f"    phone: \"{s['phone']}\"")
        out.append(f"    coordinates: [{s['coords'][0]}, {s['coords'][1]}]")
    out += ["", "officers:"]
    for o in officers:
        out += [f"  - id: {o['id']}", f"    name: {q(o['name'])}", f"    title: {q(o['title'])}",
                f"    phone: \"{o['phone']}\"", f"    email: {o['email']}", f"    station: {o['station']}",
                f"    verified: {o['verified'].isoformat()}"]
    out += ["", "localities:"]
    for loc in localities:
        codes = ", ".join(f'"{c}"' for c in loc["postcodes"])
        out += [f"  - id: {loc['id']}", f"    name: {q(loc['name'])}", f"    municipality: {loc['municipality']}",
                f"    postcodes: [{codes}]", f"    officer: {loc['officer']}",
                f"    coordinates: [{loc['coords'][0]}, {loc['coords'][1]}]"]
        if rng.random() < 0.85:
            text = rng.choice(DESCRIPTIONS).format(name=loc["name"], muni=loc["muni_name"])
            out += ["    description: |", f"      {text}"]
        if rng.random() < 0.7:
            local = loc["id"][:50]
            out += ["    councils:", f"      - name: {q(loc['name'] + ' Lokalråd')}",
                    f"        url: https://example.dk/{local}-lokalraad",
                    f"        email: {local}-lokalraad@example.dk"]
        n_prio = rng.choice((0, 1, 1, 2))
        if n_prio:
            out.append("    priorities:")
            for issue, action in rng.sample(ISSUES, n_prio):
                since = TODAY - dt.timedelta(days=rng.randint(20, 600))
                out += [f"      - issue: {q(issue)}", f"        action: {q(action)}",
                        f"        since: {since.isoformat()}"]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# Scopes, news, events


class Scoper:
    """Draws a scope like editors write them: ~85% one to three localities (of one municipality),
    ~10% a municipality, ~4% a district, ~1% national."""

    def __init__(self, localities: list[dict], municipalities: list[dict]):
        self.localities = localities
        self.municipalities = municipalities
        self.by_muni: dict[str, list[dict]] = {}
        for loc in localities:
            self.by_muni.setdefault(loc["municipality"], []).append(loc)
        self.munis_with = [m for m in municipalities if m["id"] in self.by_muni]
        self.districts = sorted({m["district"] for m in self.munis_with}, key=[d for d, _ in DISTRICTS].index)
        self.district_name = dict(DISTRICTS)

    def draw(self, rng: random.Random) -> tuple[str, str, dict]:
        """(front-matter line, place name for the text, a locality in scope for the author)."""
        r = rng.random()
        if r < 0.85:
            loc = rng.choice(self.localities)
            group = [loc]
            extra = rng.choice((0, 0, 0, 1, 1, 2))
            siblings = self.by_muni[loc["municipality"]]
            for other in rng.sample(siblings, min(len(siblings), extra + 1)):
                if other is not loc and len(group) <= extra:
                    group.append(other)
            return f"localities: [{', '.join(g['id'] for g in group)}]", loc["name"], loc
        if r < 0.95:
            m = rng.choice(self.munis_with)
            return f"municipalities: [{m['id']}]", m["name"], rng.choice(self.by_muni[m["id"]])
        if r < 0.99:
            d = rng.choice(self.districts)
            m = rng.choice([m for m in self.munis_with if m["district"] == d])
            return f"districts: [{d}]", self.district_name[d], rng.choice(self.by_muni[m["id"]])
        return "national: true", "hele landet", rng.choice(self.localities)


def unique_slug(base: str, taken: set[str]) -> str:
    slug, k = base, 2
    while slug in taken:
        slug, k = f"{base}-{k}", k + 1
    taken.add(slug)
    return slug


def news_body(rng: random.Random, topic: dict, place: str) -> str:
    """Markdown of 100-400 words: paragraphs, sometimes a heading, a list and an external link."""
    target = rng.randint(100, 360)
    text = Sentences(rng, place, topic["sentences"], GENERIC_SENTENCES)
    blocks = [text.take(rng.randint(2, 3), 0)]
    words = len(blocks[0].split())
    has_list = has_heading = has_link = False
    while words < target:
        r = rng.random()
        if r < 0.2 and not has_list:
            items = rng.sample(topic["tips"], min(len(topic["tips"]), rng.randint(3, 4)))
            numbered = rng.random() < 0.3
            block = "\n".join((f"{i + 1}. " if numbered else "- ") + t for i, t in enumerate(items))
            if rng.random() < 0.6 and not has_heading:
                block = f"## {rng.choice(HEADINGS)}\n\n{block}"
                has_heading = True
            has_list = True
        elif r < 0.3 and not has_heading:
            block = f"## {rng.choice(HEADINGS)}\n\n{text.take(rng.randint(2, 3), 1)}"
            has_heading = True
        elif r < 0.4 and not has_link:
            label, url = rng.choice(LINKS)
            block = f"{text.take(1, 1)} [{label}]({url})."
            has_link = True
        else:
            block = text.take(rng.randint(2, 4), rng.choice((0, 1, 2, 2)))
        blocks.append(block)
        words += len(block.split())
    return "\n\n".join(blocks) + "\n"


def write_news(rng: random.Random, folder: Path, count: int, scoper: Scoper) -> int:
    folder.mkdir(parents=True)
    taken: set[str] = set()
    span_start = TODAY - dt.timedelta(days=NEWS_SPAN_DAYS)
    for i in range(count):
        if i % 250 == 7:  # 0.4%: dated after TODAY, not published yet
            date = TODAY + dt.timedelta(days=rng.randint(1, 45))
        else:
            date = pick_date(rng, span_start, TODAY)
        scope, place, loc = scoper.draw(rng)
        topic_name = rng.choice(TOPIC_NAMES)
        topic = TOPICS[topic_name]
        title = rng.choice(topic["titles"]).format(sted=place)
        slug = unique_slug(f"{date.isoformat()}-{slugify(title, 60)}", taken)
        when = date.isoformat()
        if rng.random() < 0.1:
            when += f"T{rng.randint(7, 20):02d}:{rng.choice((0, 15, 30, 45)):02d}"
        lines = ["---", f"title: {q(title)}", f"date: {when}", scope]
        if rng.random() < 0.35:
            lines.append(f"summary: {q(rng.choice(SUMMARIES))}")
        if rng.random() < 0.4:
            lines.append(f"author: {loc['officer']}")
        if i % 200 == 3:  # 0.5% drafts
            lines.append("draft: true")
        lines.append("---")
        text = "\n".join(lines) + "\n" + news_body(rng, topic, place)
        (folder / f"{slug}.md").write_bytes(text.encode("utf-8"))
    return count


def write_events(rng: random.Random, folder: Path, count: int, scoper: Scoper) -> int:
    folder.mkdir(parents=True)
    taken: set[str] = set()
    span_start = TODAY - dt.timedelta(days=NEWS_SPAN_DAYS)
    span_end = TODAY + dt.timedelta(days=EVENTS_AHEAD_DAYS)
    for i in range(count):
        kind = EVENT_KINDS[i] if i < len(EVENT_KINDS) else rng.choices(EVENT_KINDS, weights=(30, 30, 25, 15))[0]
        day = pick_date(rng, span_start, span_end)
        scope, place, loc = scoper.draw(rng)
        title = rng.choice(EVENT_TITLES[kind]).format(sted=place)
        slug = unique_slug(f"{day.isoformat()}-{slugify(title, 60)}", taken)
        town, postcode = loc["town"], loc["postcodes"][0]
        if kind == "mobile-police-station":
            location = f"Torvet, {postcode} {town}"
            hour, minutes = rng.randint(9, 12), rng.choice((120, 180, 240))
        else:
            location = f"{rng.choice(VENUES)}, {rng.choice(STREETS)} {rng.randint(1, 80)}, {postcode} {town}"
            hour, minutes = rng.randint(16, 19), rng.choice((90, 120, 150))
        if rng.random() < 0.1:  # an all-day event, sometimes over two days
            start = day.isoformat()
            end = (day + dt.timedelta(days=rng.choice((0, 1)))).isoformat()
        else:
            begin = dt.datetime.combine(day, dt.time(hour, rng.choice((0, 30))))
            start = begin.strftime("%Y-%m-%dT%H:%M")
            end = (begin + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")
        lines = ["---", f"title: {q(title)}", f"kind: {kind}", f"start: {start}"]
        if rng.random() < 0.9:
            lines.append(f"end: {end}")
        lines += [f"location: {q(location)}", scope]
        if i % 100 == 5:  # 1% drafts
            lines.append("draft: true")
        lines.append("---")
        sentences = Sentences(rng, place, EVENT_SENTENCES, GENERIC_SENTENCES)
        body = [sentences.take(rng.randint(2, 3), 0)]
        for _ in range(rng.randint(1, 4)):
            body.append(sentences.take(rng.randint(2, 4), rng.choice((0, 1, 2))))
        text = "\n".join(lines) + "\n" + "\n\n".join(body) + "\n"
        (folder / f"{slug}.md").write_bytes(text.encode("utf-8"))
    return count


# --------------------------------------------------------------------------------------------
# Ambassadors, pages, newsletter intros

MOBILE_PREFIXES = ["20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "40", "41",
                   "42", "50", "51", "52", "53", "60", "61", "71", "81", "91", "92", "93"]


def write_ambassadors(rng: random.Random, folder: Path, count: int, localities: list[dict]) -> tuple[int, int, int]:
    """Returns (ambassadors, files, unpublished)."""
    folder.mkdir(parents=True)
    hosts = [loc for loc in localities if rng.random() < 0.8] or localities[:1]
    per_locality: dict[str, list[str]] = {}
    taken: set[str] = set()
    unpublished = 0
    states = ["published", "none", "withdrawn", "expired", "future", "noname"]
    for i in range(count):
        loc = rng.choice(hosts)
        name, first, last = person_name(rng)
        aid = unique_slug(slugify(name), taken)  # ambassador ids are unique site-wide
        role = rng.choice(AMBASSADOR_ROLES).format(place=loc["name"])
        lines = [f"- id: {aid}", f"  name: {q(name)}"]
        have = ["name"]
        if rng.random() < 0.85:
            lines.append(f"  role: {q(role)}")
            have.append("role")
        if rng.random() < 0.7:
            lines.append(f"  phone: \"{valid_phone(rng, MOBILE_PREFIXES)}\"")
            have.append("phone")
        if rng.random() < 0.7:
            lines.append(f"  email: {aid.replace('-', '.')}@example.dk")
            have.append("email")
        # every state at least once, then mostly published
        state = states[i] if i < len(states) else rng.choices(states, weights=(78, 6, 5, 4, 3, 4))[0]
        if state != "published":
            unpublished += 1
        if state != "none":
            fields = ["name"] + [f for f in have[1:] if rng.random() < 0.8]
            if state == "noname":
                fields = [f for f in fields if f != "name"] or ["role"]
            if state == "future":
                given = TODAY + dt.timedelta(days=rng.randint(1, 90))
            else:
                given = TODAY - dt.timedelta(days=rng.randint(30, 1000))
            lines += ["  consent:", f"    given: {given.isoformat()}", f"    fields: [{', '.join(fields)}]"]
            if state == "expired":
                lines.append(f"    expires: {pick_date(rng, given, TODAY).isoformat()}")
            elif rng.random() < 0.3:
                lines.append(f"    expires: {(max(given, TODAY) + dt.timedelta(days=rng.randint(30, 900))).isoformat()}")
            if state == "withdrawn":
                lines.append(f"    withdrawn: {pick_date(rng, given, TODAY).isoformat()}")
        per_locality.setdefault(loc["id"], []).append("\n".join(lines))
    for lid in sorted(per_locality):
        text = ("# Tryghedsambassadører (genereret benchmarkindhold; alle personer er opdigtede).\n\n"
                + "\n\n".join(per_locality[lid]) + "\n")
        (folder / f"{lid}.yaml").write_bytes(text.encode("utf-8"))
    return count, len(per_locality), unpublished


PAGES = {
    "om-tryghedsambassadoerer": ("Om tryghedsambassadører",
                                 "Tryghedsambassadører er frivillige borgere, der styrker dialogen med politiet.",
                                 "ambassadoerer"),
    "bestil-en-betjent": ("Bestil en betjent", "Bed politiet komme ud til jeres skole eller forening.", "mobil"),
    "kontakt-politiet": ("Kontakt politiet", "Ring 112, når det haster, og 114 i alle andre tilfælde.", "netvaerk"),
    "privatlivspolitik": ("Privatlivspolitik", "Hvilke personoplysninger vi viser, og hvordan du trækker dit "
                                               "samtykke tilbage.", "ambassadoerer"),
    "om-naerpolitiet": ("Om nærpolitiet", "Sådan arbejder politiet tæt på borgerne i hele landet.", "netvaerk"),
    "gode-raad-mod-indbrud": ("Gode råd mod indbrud", "Det kan du selv gøre for at sikre dit hjem.", "indbrud"),
}


def write_pages(rng: random.Random, folder: Path) -> int:
    folder.mkdir(parents=True)
    for slug in sorted(PAGES):
        title, summary, topic = PAGES[slug]
        text = (f"---\ntitle: {q(title)}\nsummary: {q(summary)}\n---\n"
                + news_body(rng, TOPICS[topic], "dit lokalområde"))
        (folder / f"{slug}.md").write_bytes(text.encode("utf-8"))
    return len(PAGES)


MONTHS_DA = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
             "november", "december"]


def write_intros(rng: random.Random, folder: Path, localities: list[dict], officers: list[dict]) -> int:
    """A few editorial intros to recent monthly issues, for localities spread over the list."""
    officer_by_id = {o["id"]: o for o in officers}
    count = min(6, len(localities))
    step = len(localities) / count
    written = 0
    for i in range(count):
        loc = localities[int(i * step)]
        month = dt.date(TODAY.year, TODAY.month, 1) - dt.timedelta(days=1 + 31 * (i % 3))
        period = f"{month.year}-{month.month:02d}"
        officer = officer_by_id[loc["officer"]]
        body = Sentences(rng, loc["name"], GENERIC_SENTENCES).take(3)
        title = f"Nyhedsbrev for {loc['name']}, {MONTHS_DA[month.month - 1]} {month.year}"
        text = f"---\ntitle: {q(title)}\n---\n"
        text += (f"Kære borgere i {loc['name']}\n\n{body}\n\nVenlig hilsen  \n"
                 f"{officer['name']}, {officer['title'].lower()}\n")
        (folder / loc["id"]).mkdir(parents=True, exist_ok=True)
        (folder / loc["id"] / f"{period}.md").write_bytes(text.encode("utf-8"))
        written += 1
    return written


# --------------------------------------------------------------------------------------------
# The interface


def generate(out: Path, size: str = "national", fraction: float = 1.0, seed: int = 1) -> dict[str, int]:
    """Writes a complete site root into `out` (which must not exist or be empty): localities.yaml
    and content/. `fraction` scales localities, news, events, ambassadors and officers linearly
    (officers: one per 4 localities, groups never crossing a district, so at most 12 more), and
    for the small size municipalities too, never below one per district (the national size always
    has Denmark's 98); districts are always 12. Pages (6) and newsletter intros (up to 6) are
    fixed. Returns the counts written."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: use one of {', '.join(SIZES)}")
    if fraction <= 0:
        raise ValueError("fraction must be positive")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not an empty folder")
    spec = SIZES[size]
    n_munis = spec["municipalities"]
    if size == "small":
        n_munis = min(len(MUNICIPALITIES), max(len(DISTRICTS), round(n_munis * fraction)))

    def rng(part: str) -> random.Random:
        return random.Random(f"naerpoliti-bench-{seed}-{part}")

    municipalities = make_municipalities(n_munis)
    localities = make_localities(rng("localities"), municipalities, scaled(spec["localities"], fraction))
    stations = make_stations(rng("stations"), municipalities)
    officers = make_officers(rng("officers"), localities, stations)
    registry = write_registry(rng("registry"), municipalities, stations, officers, localities)

    out.mkdir(parents=True, exist_ok=True)
    (out / "localities.yaml").write_bytes(registry.encode("utf-8"))
    content = out / "content"
    scoper = Scoper(localities, municipalities)
    news = write_news(rng("news"), content / "news", scaled(spec["news"], fraction), scoper)
    events = write_events(rng("events"), content / "events", scaled(spec["events"], fraction), scoper)
    ambassadors, amb_files, unpublished = write_ambassadors(
        rng("ambassadors"), content / "ambassadors", scaled(spec["ambassadors"], fraction), localities)
    pages = write_pages(rng("pages"), content / "pages")
    intros = write_intros(rng("newsletters"), content / "newsletters", localities, officers)
    counts = dict(
        districts=len(DISTRICTS), municipalities=len(municipalities), stations=len(stations),
        officers=len(officers), localities=len(localities), news=news, events=events,
        ambassadors=ambassadors, ambassador_files=amb_files, unpublished_ambassadors=unpublished,
        pages=pages, newsletter_intros=intros,
    )
    counts["files"] = 1 + news + events + amb_files + pages + intros
    return counts


def news_files(out: Path) -> list[Path]:
    """The news items written into `out`, sorted: so a runner can edit one."""
    return sorted((Path(out) / "content" / "news").glob("*.md"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a deterministic benchmark corpus (a naerpoliti site root).")
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("out", type=Path, help="the folder to write; must not exist or be empty")
    parser.add_argument("--fraction", type=float, default=1.0, help="scale the content linearly (default 1.0)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = generate(args.out, args.size, args.fraction, args.seed)
    except (FileExistsError, ValueError) as exc:
        print(f"corpus: error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    for key, value in counts.items():
        print(f"{key}: {value}")
    print(f"written to {args.out} in {seconds:.2f} s (build with --today {TODAY.isoformat()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
