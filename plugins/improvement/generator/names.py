"""Invented names, so nobody can mistake a synthetic record for a real child or worker.

Every name is a made-up word that announces itself as fake ("Fakeworth", "Synthia");
none is a real common name. Tests check that every generated name comes from these lists.
"""

from __future__ import annotations

FEMALE_FORENAMES: tuple[str, ...] = (
    "Synthia", "Fakira", "Mockella", "Dummina", "Fictoria", "Inventia", "Pretendra",
    "Notalie", "Imaginette", "Fabricia", "Simulina", "Placeholda", "Samplina", "Testelle",
    "Madeupa", "Unrealia", "Phantasia", "Figmentina", "Spoofina", "Bogusa", "Shamelia",
    "Pseudina", "Fauxana", "Mimicka", "Decoya", "Nominella", "Anonyma", "Randomina",
    "Generica", "Dataleen", "Recordia", "Fieldina", "Columnella", "Querilda", "Schemata",
    "Tablina", "Indexa", "Cachella", "Widgetta", "Mockbeth",
)  # fmt: skip

MALE_FORENAMES: tuple[str, ...] = (
    "Fakeo", "Mockton", "Dummond", "Fictor", "Inventus", "Pretendo", "Notaniel",
    "Imaginald", "Fabricus", "Simulus", "Placeholdo", "Testimo", "Madeupio", "Unrealdo",
    "Phantomas", "Figmund", "Spoofus", "Bogustin", "Shamwick", "Pseudric", "Fauxlix",
    "Mimickus", "Decoyle", "Nominald", "Anonymo", "Randomir", "Generico", "Proxford",
    "Databert", "Recordo", "Fieldric", "Columnus", "Querion", "Schemaric", "Tablo",
    "Indexter", "Cacheron", "Widgeton", "Syntho", "Samplebert",
)  # fmt: skip

SURNAMES: tuple[str, ...] = (
    "Fakeworth", "Madeupson", "Notrealby", "Inventon", "Pretendwick", "Synthson",
    "Mockridge", "Fictonby", "Placeholdworth", "Sampleford", "Testington", "Dummyfield",
    "Imaginbury", "Fabricott", "Simulwick", "Nonameley", "Nobodyson", "Makebelieve",
    "Untrueman", "Fauxbridge", "Bogusham", "Shamwell", "Pseudonymby", "Spoofington",
    "Figmentson", "Phantomby", "Mimicroft", "Decoyfield", "Anonymoor", "Randomley",
    "Genericson", "Proxyworth", "Dataford", "Recordsby", "Fieldwick", "Columnson",
    "Querybury", "Schemington", "Tablesworth", "Indexley", "Cacheridge", "Widgetson",
    "Dummington", "Fakesley", "Mockworth", "Inventby", "Pretendley", "Synthwick",
    "Fictionbridge", "Madeupton", "Notrealham", "Imaginworth", "Simulby", "Sampleton",
    "Testerby", "Placebridge", "Bogusworth", "Fauxley", "Spoofwell", "Phantomley",
)  # fmt: skip

FORENAMES: tuple[str, ...] = FEMALE_FORENAMES + MALE_FORENAMES
