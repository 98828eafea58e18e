//! Word lists for generated names. The unusual entries exercise what real catalogs contain:
//! non-Latin scripts, combining marks, right-to-left text, emoji, zero-width joiners,
//! mathematical alphanumerics, punctuation-only names.

pub const ADJECTIVES: &[&str] = &[
    "Electric", "Quiet", "Golden", "Broken", "Midnight", "Velvet", "Neon", "Silver", "Wild",
    "Paper", "Crystal", "Hollow", "Burning", "Frozen", "Distant", "Lucky", "Restless", "Blue",
    "Sunday", "Secret",
];

pub const NOUNS: &[&str] = &[
    "River",
    "Heart",
    "Mountain",
    "City",
    "Dream",
    "Echo",
    "Garden",
    "Signal",
    "Highway",
    "Ocean",
    "Machine",
    "Mirror",
    "Summer",
    "Shadow",
    "Harbor",
    "Engine",
    "Lantern",
    "Forest",
    "Satellite",
    "Window",
];

pub const PLAYLIST_NOUNS: &[&str] = &[
    "Mix",
    "Favourites",
    "Drive",
    "Workout",
    "Focus",
    "Party",
    "Chill",
    "Archive",
    "Discoveries",
    "Classics",
];

pub const VERSIONS: &[&str] = &[
    "Remastered 2011",
    "Live",
    "Acoustic",
    "Radio Edit",
    "feat. Someone",
    "Demo",
    "Remix",
];

pub const FIRST_NAMES: &[&str] = &[
    "Alice", "Bruno", "Chloé", "Dmitri", "Eva", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kemi",
    "Lars", "Maya", "Nils", "Olu", "Priya",
];

pub const LAST_NAMES: &[&str] = &[
    "Andersson",
    "Okafor",
    "Tanaka",
    "Müller",
    "García",
    "Novak",
    "Silva",
    "Kowalski",
    "Haddad",
    "Lindqvist",
    "Moreau",
    "Ivanova",
];

pub const LABEL_SUFFIXES: &[&str] = &["Records", "Music", "Recordings", "Sound", "Audio"];

/// Ordered from most to least common: generation picks with a skew towards the front.
pub const GENRES: &[&str] = &[
    "pop",
    "rock",
    "hip hop",
    "indie rock",
    "dance pop",
    "electronic",
    "rap",
    "r&b",
    "indie pop",
    "house",
    "alternative rock",
    "metal",
    "country",
    "soul",
    "techno",
    "jazz",
    "folk",
    "punk",
    "latin",
    "k-pop",
    "reggaeton",
    "afrobeats",
    "classical",
    "ambient",
    "singer-songwriter",
    "post-punk",
    "synthwave",
    "trap",
    "grunge",
    "blues",
    "funk",
    "disco",
    "emo",
    "shoegaze",
    "bossa nova",
    "drum and bass",
    "lo-fi beats",
    "hyperpop",
    "j-pop",
    "chanson",
];

pub const UNUSUAL: &[&str] = &[
    "Ágætis byrjun",
    "坂本龍一の夜",
    "Zoe\u{308} & the Com\u{301}bining Marks",
    "نور الصباح",
    "שיר השירים",
    "🎵🔥 Vibes 🔥🎵",
    "👩\u{200d}🎤 Singer",
    "𝔊𝔬𝔱𝔥𝔦𝔠 𝔑𝔦𝔤𝔥𝔱𝔰",
    "!!!",
    "   leading and trailing spaces   ",
    "Tab\tand \"quotes\" and \\backslash",
    "Ελληνικά τραγούδια",
    "Мелодия",
    "ส้มตำ",
    "a:b:c (colons)",
    "100% Pure / Slash & Ampersand",
];

pub const UNUSUAL_ARTISTS: &[&str] = &[
    "Björk",
    "Sigur Rós",
    "坂本龍一",
    "Mötley Crüe",
    "Beyoncé",
    "Fairuz فيروز",
    "!!!",
    "Sunn O)))",
    "†‡†",
    "µ-Ziq",
    "Røyksopp",
    "ЛСП",
    "BTS (방탄소년단)",
];
