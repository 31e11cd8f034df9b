"""The words the mention rules know: head nouns, category nouns, connectors, stop words.

A *head noun* ends (or, in French, Spanish, Portuguese and Italian names, starts) a proper
name and gives its kind: "Festival", "Museo", "Council". A *category noun* is a lower-case
common noun that introduces names of a kind: "festivals such as X and Y", "the design fair
X". Nothing here is about one city: the words are English, French, Spanish, Portuguese,
Italian and German function words and nouns.
"""

from __future__ import annotations

import re

# head noun -> (kind, subtype). Singular forms only: plural heads are generic phrases.
HEADS: dict[str, tuple[str, str]] = {}
#: how many times HEADS was edited after import (by ``mention_cv.without_heads``): tables
#: built from it (:mod:`.mention_cognates`) are rebuilt when it changes
HEADS_EDITS = [0]


def _add(kind: str, subtype: str, *words: str) -> None:
    for word in words:
        HEADS[word] = (kind, subtype)


_add("facility", "museum", "Museum", "Museo", "Musée", "Museu", "Muzeum")
_add("facility", "gallery", "Gallery", "Galerie", "Galleria")
_add("facility", "hall", "Hall")
_add("facility", "theatre", "Theatre", "Theater", "Teatro", "Théâtre", "Playhouse")
_add("facility", "opera-house", "Opera House")
_add("facility", "house", "House", "Casa", "Bait", "Quinta", "Maison", "Palais", "Palazzo",
     "Palácio", "Palacio")
_add("facility", "library", "Library", "Biblioteca", "Bibliothèque")
_add("facility", "archive", "Archive", "Archives")
_add("facility", "centre", "Centre", "Center", "Centro")
_add("facility", "park", "Park", "Square", "Plaza", "Bagh", "Ghat")
_add("facility", "garden", "Garden", "Gardens", "Jardin", "Jardim", "Jardín")
_add("facility", "school", "School", "Escuela", "Gymnasium")
_add("facility", "university", "University", "Universidad", "Université", "Universidade",
     "Università")
_add("facility", "college", "College", "Polytechnic", "Politécnico", "Politecnico",
     "Polytechnique")
_add("facility", "academy", "Academy")
_add("facility", "conservatory", "Conservatory", "Conservatoire", "Conservatorium",
     "Conservatorio")
_add("facility", "faculty", "Faculty")
_add("facility", "laboratory", "Lab", "Laboratory", "Laboratorio", "Laboratório",
     "Laboratoire")
_add("facility", "incubator", "Incubator", "Village")
_add("facility", "factory", "Factory")
_add("facility", "studio", "Studio", "Studios")
_add("facility", "cinema", "Cinema", "Cinematheque", "Cinémathèque", "Cine")
_add("facility", "arena", "Arena", "Stadium", "Auditorium", "Amphitheatre", "Pavilion")
_add("facility", "heritage-site", "Church", "Cathedral", "Basilica", "Palace", "Castle",
     "Temple", "Mosque", "Monastery", "Abbey", "Fortress", "Fort", "Arch", "Tower", "Gate",
     "Bridge", "Khan", "Parliament", "Consulate")
_add("event", "festival", "Festival", "Fest", "Festa", "Fiesta", "Festivals")
_add("event", "carnival", "Carnival")
_add("event", "biennale", "Biennale", "Biennial", "Bienal", "Biennal")
_add("event", "triennale", "Triennale", "Triennial")
_add("event", "fair", "Fair", "Expo", "Feria", "Fête", "Feira")
_add("event", "exhibition", "Exhibition", "Exposition", "Salon")
_add("event", "forum", "Forum")
_add("event", "competition", "Competition", "Contest", "Awards", "Olympiad", "Challenge")
_add("event", "award", "Award", "Prize", "Prix", "Premio", "Prémio", "Medal", "Medals", "Oscars")
_add("event", "week", "Week", "Month", "Semana", "Semanas", "Semaine", "Semaines")
_add("event", "day", "Day", "Days", "Jornadas", "Journées")
_add("event", "night", "Night")
_add("event", "conference", "Conference", "Symposium", "Congress", "Summit", "Convention",
     "Meeting", "Colloquium", "Encounter", "Encuentro", "Encontro")
_add("event", "concert", "Concert")
_add("event", "games", "Games", "Regatta", "Circuit", "Camp", "Show", "Event", "Jam", "Olympics")
_add("organisation", "association", "Association", "Asociación", "Associação",
     "Associazione")
_add("organisation", "foundation", "Foundation", "Fundación", "Fondation", "Fundação",
     "Fondazione")
_add("organisation", "council", "Council", "Board", "Roundtable")
_add("organisation", "orchestra", "Orchestra", "Orchestre", "Orquesta", "Orquestra",
     "Philharmonic", "Choir", "Ensemble", "Orfeão", "Orfeón", "Chœur", "Choeur", "Coro",
     "Band", "Troupe", "Chorus", "Quartet", "Collective")
_add("organisation", "company", "Company", "Corporation", "Bank", "Group", "Partnership",
     "Brewery", "Winery", "Distillery",
     "AG", "GmbH", "Inc", "Ltd")
_add("organisation", "institute", "Institute", "Instituto", "Institut", "Workshop")
_add("organisation", "agency", "Agency", "Authority", "Office", "Bureau", "Ministry",
     "Department", "Directorate", "Unit", "Section", "Secretariat", "Administration")
_add("organisation", "society", "PEN", "Society", "Guild", "Club", "Union", "Clube", "Sociedad",
     "Movement", "Cooperative",
     "Sociedade", "Société", "Società")
_add("organisation", "federation", "Federation", "Alliance", "Consortium", "Network")
_add("organisation", "chamber", "Chamber", "Commission", "Committee", "Trust")

# The same families in the other languages of naming the conventions list (French, Spanish,
# Portuguese, Italian, German, Dutch), and English heads the conventions name (hubs,
# broadcasters, leagues, …): written from docs/annotation.md's lists, not from errors of
# the development profiles, so that heads missing there are not missing on unseen ones.
_add("facility", "museum", "Musei", "Museen", "Pinacoteca", "Kunsthaus")
_add("facility", "gallery", "Galería", "Galeria", "Kunsthalle")
_add("facility", "theatre", "Teatr", "Schouwburg", "Schauspielhaus", "Odeon")
_add("facility", "house", "Haus", "Huis", "Château")
_add("facility", "library", "Bibliothek", "Bibliotheek", "Bibliotheca", "Bibliotek")
_add("facility", "centre", "Zentrum", "Centrum", "Kulturhaus")
_add("facility", "school", "École", "Escola", "Scuola", "Schule", "Hochschule")
_add("facility", "university", "Universität", "Universiteit", "Uniwersytet")
_add("facility", "academy", "Académie", "Academia", "Accademia", "Akademie", "Akademia")
_add("facility", "cinema", "Cineteca", "Cinemateca", "Kino")
_add("facility", "heritage-site", "Cathédrale", "Catedral", "Cattedrale", "Iglesia", "Igreja",
     "Chiesa", "Église", "Kirche", "Mezquita", "Pagoda", "Shrine")
_add("event", "festival", "Festiwal", "Festivalen", "Festspiele", "Festivali")
_add("event", "fair", "Fiera", "Messe")
_add("event", "exhibition", "Muestra", "Mostra", "Salão", "Salone", "Showcase")
_add("event", "competition", "Concurso", "Concorso", "Concours", "Cup", "Championship",
     "Tournament", "Marathon")
_add("event", "award", "Prêmio", "Preis", "Trophy")
_add("event", "week", "Settimana", "Woche")
_add("event", "night", "Nuit", "Noche", "Noite", "Notte", "Nacht")
_add("event", "conference", "Seminar", "Congreso", "Congresso", "Congrès", "Colloque", "Gala",
     "Parade", "Hackathon")
_add("organisation", "association", "Verein", "Vereniging", "Stowarzyszenie")
_add("organisation", "foundation", "Stiftung", "Stichting", "Fundacja")
_add("organisation", "council", "Conseil", "Consejo", "Conselho", "Consiglio", "Rat")
_add("organisation", "orchestra", "Orchester", "Orkest", "Orkiestra", "Chor", "Koor",
     "Philharmonie", "Filarmonica", "Filarmónica", "Sinfonietta")
_add("organisation", "company", "Publishers", "Records", "Broadcasting", "Verlag")
_add("organisation", "institute", "Istituto", "Instytut", "Institución")
_add("organisation", "society", "League", "Gesellschaft", "Società", "Syndicate")
_add("organisation", "federation", "Confederation", "Verband", "Federación", "Federação")
_add("organisation", "chamber", "Cámara", "Kammer")

# Round 8: the morphological families of the heads above, in the languages of naming (a
# library or media library: -thek, -thèque, -teca; halls and houses of -orium, -arium;
# Haus, Casa, Centro, Maison are above), written from the families, not from names of the
# development profiles (docs/annotation.md, round 8).
_add("facility", "library", "Mediathek", "Médiathèque", "Mediateca", "Pinakothek",
     "Filmoteca", "Fonoteca", "Hemeroteca", "Videoteca", "Ludoteca", "Ludothèque",
     "Biblioteka", "Bibliotheca")
_add("facility", "museum", "Muzej", "Múzeum", "Muzeu", "Planetarium", "Aquarium",
     "Oceanarium", "Arboretum", "Glyptothek")
_add("facility", "arena", "Auditorio", "Auditório", "Anfiteatro", "Amphitheater")
_add("facility", "house", "Konzerthaus", "Opernhaus", "Funkhaus")
_add("facility", "centre", "Centar", "Centrul", "Kulturzentrum", "Ateneo", "Ateneu",
     "Athenaeum", "Atheneum")
_add("facility", "gallery", "Galerija", "Galeri")
_add("facility", "theatre", "Teatre", "Tiyatro")

#: Heads of places of learning that, named after a country, are a national body ("Academy of
#: Finland", "Academy of Sciences" is not one)
NATIONAL_BODY_HEADS = frozenset({"Academy", "Academia", "Académie", "Akademie"})
#: Heads that take a name only with a tail ("Chamber of Commerce", not "Red Chamber";
#: "Federation of …", not "Russian Federation").
NEEDS_TAIL = frozenset({"Chamber", "Federation"})
#: Heads written as the end of one word ("Kunsthalle", "AlmaFest", "Kulturfabrik"): a single
#: capitalised word with one of these endings, after at least three letters, is a name.
SUFFIX_HEADS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("festival", ("event", "festival")), ("fest", ("event", "festival")),
    ("biennale", ("event", "biennale")), ("halle", ("facility", "gallery")),
    ("fabrik", ("facility", "factory")), ("park", ("facility", "park")),
    ("museum", ("facility", "museum")), ("lab", ("facility", "laboratory")),
)
#: Round 8: compounds whose last element is a head of the conventions' families (German and
#: Dutch compounds, French and Latin endings: "Literaturhaus", "Stadtbibliothek",
#: "Médiathèque", "Planetarium"), after at least four letters: a first element of three
#: letters is more often a word of its own than a name ("Bauhaus", a style).
COMPOUND_HEADS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("thek", ("facility", "library")), ("thèque", ("facility", "library")),
    ("theque", ("facility", "library")), ("haus", ("facility", "house")),
    ("huis", ("facility", "house")), ("zentrum", ("facility", "centre")),
    ("theater", ("facility", "theatre")), ("kirche", ("facility", "heritage-site")),
    ("orium", ("facility", "arena")), ("arium", ("facility", "museum")),
    ("galerie", ("facility", "gallery")), ("messe", ("event", "fair")),
    ("preis", ("event", "award")), ("festspiele", ("event", "festival")),
    ("verein", ("organisation", "association")),
    ("stiftung", ("organisation", "foundation")),
)
#: A name followed by one of these words names a project or a plan, not an entity.
NOT_ENTITY_AFTER = frozenset({
    "project", "projects", "programme", "program", "initiative", "plan", "strategy", "scheme",
    "brand", "campaign", "network", "label", "series", "model", "policy",
})

#: lower-case nouns that, written after a name, are its head ("the X festival")
LOWER_HEADS: dict[str, tuple[str, str]] = {
    "festival": ("event", "festival"), "fair": ("event", "fair"),
    "biennale": ("event", "biennale"), "biennial": ("event", "biennale"),
    "exhibition": ("event", "exhibition"), "contest": ("event", "competition"),
    "competition": ("event", "competition"), "forum": ("event", "forum"),
    "event": ("event", "event"), "days": ("event", "day"), "award": ("event", "award"),
    "prize": ("event", "award"), "conference": ("event", "conference"),
    "museum": ("facility", "museum"), "theatre": ("facility", "theatre"),
    "library": ("facility", "library"), "gallery": ("facility", "gallery"),
    "concert hall": ("facility", "concert-hall"),
    "association": ("organisation", "association"), "foundation": ("organisation", "foundation"),
    "orchestra": ("organisation", "orchestra"), "choir": ("organisation", "orchestra"),
    "ensemble": ("organisation", "orchestra"), "band": ("organisation", "orchestra"),
    "troupe": ("organisation", "orchestra"), "school": ("facility", "school"),
}

#: words that end a run: what follows a name, not part of it ("Nobel Prize Laureates")
BREAK_WORDS = frozenset({"Laureate", "Laureates", "Winner", "Winners", "Members", "Students",
                         "NGO", "INGO"})
#: single words that name a field or a medium, never a thing, even capitalised in a list
FIELD_WORDS = frozenset({
    "Film", "Films", "Music", "Design", "Literature", "Crafts", "Craft", "Art", "Arts", "Media",
    "Gastronomy", "Interactive", "Dance", "Theatre", "Cinema", "Photography", "Fashion",
    "Architecture", "Folk", "Poetry", "Culture", "Food", "Digital", "Animation", "Games",
})
#: fields and media that two of are joined by "and" before one head ("Cinema and Television
#: Festival", "Film and Music Festival")
MEDIUM_WORDS = FIELD_WORDS | frozenset({"Television", "Radio", "Video", "Audiovisual",
                                        "Theatre", "Visual", "Performing", "Sound"})
#: last words of place names (streets, waters, lands): a listed name ending so is a place
PLACE_HEADS = frozenset({
    "Road", "Street", "Avenue", "Lane", "Boulevard", "Way", "Drive", "Quay", "Bridge",
    "River", "Lake", "Sea", "Ocean", "Bay", "Island", "Islands", "Mountain", "Mountains",
    "Valley", "Hill", "Hills", "Coast", "Province", "Region", "County", "District", "State",
    "Republic", "Kingdom", "Peninsula", "Desert", "Forest",
})
#: capitalised words too common to name a thing without a head ("International", "Summer")
GENERIC_WORDS = frozenset({
    "International", "National", "World", "Global", "Regional", "European", "African", "Asian",
    "American", "Arab", "Latin", "Summer", "Winter", "Spring", "Autumn", "Open", "Creative",
    "Cultural", "Book", "Books", "Street", "Youth", "Women", "Wine", "Jazz", "Light", "Lights",
    "Heritage", "City", "Old", "New", "Great", "Grand", "Royal", "Public", "Central", "Modern",
    "Contemporary", "Fine", "Visual", "Performing", "Traditional", "Local", "Young", "Short",
    "Independent", "Student", "Students", "Annual", "First", "Second", "Third", "Golden",
    "Silver", "Best", "Green", "Blue", "White", "Black", "Red", "Night", "Day", "Days", "Week",
    "Human", "Rights", "Peace", "Science", "Technology", "Innovation", "Industry", "Industries",
    "Business", "Market", "Markets", "Arts", "Crafts", "Cinema", "Writers", "Artists",
    "Municipal", "State", "Federal", "Provincial", "Metropolitan", "Community", "Experimental",
    "Electronic", "Classical", "Folk", "Sound", "Image", "Images", "Digital", "Festival",
    "Museum", "Gastronomy", "Gastronomic", "Culinary", "Film", "Design", "Music", "Literary",
    "Middle", "East", "West", "North", "South", "Eastern", "Western", "Northern", "Southern",
})
#: heads that name a gathering or the body that holds it: a list's category decides
AMBIGUOUS_HEADS = frozenset({"Forum", "Network"})
#: lower-case nouns (singular and plural) that introduce names of a kind
CATEGORIES: dict[str, str] = {}
for _kind, _words in (
    ("event", "festival festivals fair fairs event events forum forums contest contests concerts "
              "competition competitions award awards prize prizes conference conferences "
              "exhibition exhibitions biennale biennial biennials gatherings celebration "
              "celebrations symposium"),
    ("facility", "museum museums venue venues gallery galleries theatre theatres library "
                 "libraries school schools university universities cinema cinemas studio "
                 "studios spaces facility facilities hub hubs incubator incubators bookshop "
                 "bookstore"),
    ("organisation", "organisation organisations organization organizations association "
                     "associations company companies institutions network networks partners "
                     "agency agencies foundation foundations orchestra orchestras ensembles "
                     "bands choirs publishers broadcasters platform platforms choir ensemble "
                     "band troupe collective publisher"),
):
    for _word in _words.split():
        CATEGORIES[_word] = _kind
#: phrases right before a name without a head that say what it names ("organised by the X",
#: "the Nth edition of X", "in partnership with the X")
CUES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("organised", "by"), "organisation"), (("organized", "by"), "organisation"),
    (("founded", "by"), "organisation"), (("run", "by"), "organisation"),
    (("in", "partnership", "with"), "organisation"),
    (("in", "collaboration", "with"), "organisation"),
    (("in", "cooperation", "with"), "organisation"),
    (("edition", "of"), "event"), (("editions", "of"), "event"),
    (("the", "annual"), "event"),
)
#: words that open a list of names after a category noun
LIST_OPENERS = ("such as", "including", "like", "namely", "notably", "e.g.", ":", "–", "—")
#: verbs after a list of names that a category noun then describes ("X and Y are festivals")
LIST_VERBS = frozenset({"are", "were"})

# Heads whose subtype depends on the word before them.
QUALIFIED: dict[tuple[str, str], str] = {
    ("Concert", "Hall"): "concert-hall", ("Music", "Hall"): "concert-hall",
    ("Concert", "House"): "concert-hall", ("Opera", "House"): "opera-house",
}

CONNECTORS = frozenset({
    "of", "for", "and", "&", "de", "del", "della", "delle", "dei", "di", "da", "do", "dos",
    "das", "du", "des", "la", "le", "les", "el", "los", "las", "van", "von", "der", "den",
    "y", "e", "the", "on", "in", "für", "i", "et", "und", "en", "para", "em",
})
#: possessives that belong inside a name ("Gizella Women's Choir", "People's Choice Awards")
NAME_POSSESSIVES = frozenset({"Women", "Children", "People", "Men", "Writers", "Artists",
                              "Artist", "Writer"})
#: lower-case nouns that end a name's tail after an adjective ("Museum of African art")
LOWER_TAIL_NOUNS = frozenset({
    "art", "arts", "culture", "cultures", "history", "music", "heritage", "design", "crafts",
    "literature", "cinema", "film", "science", "sciences", "technology", "civilisation",
    "civilization", "traditions", "folklore",
})
#: endings of the adjectives such a tail ends with ("African", "Modern", "Contemporary")
ADJECTIVE_ENDINGS = ("an", "ese", "ish", "ern", "ary", "ic", "al", "ive")
#: French, Spanish and Portuguese words that carry a name on in lower case after its first
#: word ("Rencontres des artisans", "Marché au fil du temps")
ROMANCE_CONNECTORS = frozenset({"au", "aux", "des", "du", "de", "à", "en", "del", "do", "da",
                                "dos", "das"})
#: heads that begin a French, Spanish, Portuguese or Italian name and may take a tail in
#: lower case ("Maison de la littérature", "Jardin de la compagnie")
ROMANCE_HEADS = frozenset({
    "Maison", "Jardin", "Jardim", "Jardín", "Musée", "Museo", "Museu", "Palais", "Palacio",
    "Palácio", "Palazzo", "Casa", "Centro", "Théâtre", "Teatro", "Bibliothèque", "Biblioteca",
    "Fête", "Festa", "Fiesta", "Feira", "Feria", "Salon", "Semaine", "Semana", "Escuela",
    "Laboratorio", "Laboratoire", "Fundación", "Fondation", "Fundação", "Association",
    "Asociación", "Associação", "Institut", "Instituto", "Galerie", "Galleria",
})
#: Connectors that may start the tail after a head ("Academy of Arts").
TAIL_START = frozenset({
    "of", "for", "de", "del", "della", "di", "da", "do", "dos", "das", "du", "des", "on",
    "für", "para",
})
#: Capitalised words that are not part of a name when they open a run.
LEADING = frozenset({
    "The", "A", "An", "This", "That", "These", "Those", "Its", "Their", "His", "Her", "Our",
    "In", "At", "On", "By", "From", "With", "Since", "During", "Through", "For", "Of", "To",
    "Today", "Both", "Each", "Every", "Many", "Several", "Other", "Such", "Also", "Moreover",
    "Furthermore", "Additionally", "Indeed", "And", "Among", "As", "Like", "While", "When",
    "About", "Besides", "Including", "Some", "Annual", "Under", "Within",
    "Thanks", "Recently", "Currently", "Meanwhile", "However", "Finally", "Then",
    "Here", "There", "Where", "Famous", "Renowned", "Notable", "Home", "Host", "Hosting",
    "Events", "Festivals", "Organisations", "Organizations", "Institutions",
    "They", "It", "We",
})
#: capitalised descriptors (a style, an age, "Local") that are not part of the name they
#: precede when a place or a saint's name follows: "the Gothic Saint Peter Church", "Local
#: Sharjah Heritage Days" (docs/annotation.md: descriptors before a name are not part of it)
DESCRIPTORS = frozenset({"Gothic", "Baroque", "Romanesque", "Medieval", "Mediaeval",
                         "Historic", "Historical", "Ancient", "Local", "Legendary",
                         "Iconic", "Celebrated", "Prestigious", "Traditional"})
#: first words of a saint's name ("Saint Peter Church")
SAINTS = frozenset({"Saint", "St", "St.", "Sankt", "San", "Santa", "Santo", "São", "Sainte"})
REJECT = re.compile(
    # degrees and programmes of study: "Master of Design", "Postgraduate Diploma of Design"
    r"^(?:Bachelor|Master|Masters|Postgraduate|Undergraduate|Doctorate|PhD|BA|MA|BSc|MSc|MFA"
    r"|BFA)(?:['’]s)? (?:of|in|Degree|Diploma|Programme|Program)\b"
    # holidays named only as dates, and unions of states (docs/annotation.md)
    r"|^(?:Mother|Father|Valentine)['’]s Day$|^(?:European|African) Union$|"
    r"UNESCO|\bUCCN\b|Creative Cities? Network|Creative Cities of|Creative City of"
    r"|Sustainable Development Goal"
    # a Korean personal name: surname and hyphenated given name ("Park Kyong-Ni")
    r"|^(?:Park|Kim|Lee|Choi|Jung|Kang|Cho|Yoon|Jang|Lim|Han|Oh|Seo|Shin|Kwon|Hwang|Ahn|Song"
    r"|Hong|Moon|Yang|Bae|Baek|Nam|Noh|Ryu|Jeon|Ko|Son) [A-Z][a-z]+-[A-Za-z][a-z]+$"
    r"|^(?:Historic(?:al)?|City|Town|Old|Urban|Village) (?:Centre|Center)\b"
    r"|^(?:Cultural|Creative|Art|Arts|Culture|Music|Film|Design) (?:Centre|Center)$"
    r"|^(?:International|World|National) (?:Day|Week|Forum|Festival|Conference)$"
    r"|(?:Public|Business) Administration$"
    r"| (?:Capital|City|Cities|Region|District|Area|Zone|Quarter|Societies|Students|Members"
    r"|Artists|Visitors|Teachers|Graduates|Residents|Laureates?|Winners?)$",
)
#: the last word of a run that names a project, a programme or a policy, not an entity, even
#: after a head noun ("Food Bank Project", "Regional Literary Agency Programme")
POLICY_ENDS = frozenset({"Project", "Projects", "Programme", "Programmes", "Program",
                         "Programs", "Plan", "Strategy", "Initiative", "Scheme", "Campaign"})
#: last words of measures, documents and laws written with an acronym ("Creative Vitality
#: Index (CVI)"): not organisations
DOCUMENT_ENDS = frozenset({"Index", "Indicator", "Indicators", "Report", "Survey", "Census",
                           "Act", "Law", "Charter", "Declaration", "Agenda", "Framework",
                           "Standard", "Standards", "Certificate", "Diploma", "Degree"})
#: last words of a body that a city or a university names after UNESCO's network: its own
#: organisation ("… Creative City of Gastronomy Promotion Council")
OWN_BODY_ENDS = frozenset({"Council", "Committee", "Office", "Association", "Board",
                           "Commission", "Secretariat", "Bureau", "Agency", "Foundation"})
#: legal forms after a company's name: "Studio Babelsberg AG" is "Studio Babelsberg"
LEGAL_FORMS = re.compile(r" (?:ag|gmbh|inc|ltd|llc|plc|s\.?a|co)\.?$")
#: a run that starts with these words names an international organisation ("United Nations
#: Development Programme")
ORGANISATION_PREFIXES = ("United Nations ",)
#: a city government named as the city: not an organisation of its own (docs/annotation.md)
CITY_GOVERNMENT = re.compile(
    r"^(?:\S+ ){0,2}(?:Municipality|Municipal Government|City Hall|Government)$"
    r"|^(?:Municipality|City|Government) of "
    # the city's council named without the city ("the City Council"): generic (round 4)
    r"|^(?:City|Town|Municipal) Council$")
