//! The recovery code's 256 words, one per byte value: short, common, distinct in their first
//! four letters (so a prefix of four is enough to type), sorted so lookups are a binary search.
//! The order is part of the wire format: never reorder or replace a word.

pub(crate) const WORDS: [&str; 256] = [
    "able", "acid", "acorn", "actor", "adapt", "agent", "alarm", "album", "alley", "amber",
    "anchor", "angle", "ankle", "apple", "april", "arena", "arrow", "aspen", "atlas", "attic",
    "audio", "autumn", "avocado", "badge", "bagel", "baker", "balloon", "bamboo", "banana",
    "banjo", "barrel", "basket", "beach", "beaver", "bench", "berry", "bicycle", "bishop", "bison",
    "blanket", "blossom", "board", "bottle", "branch", "bread", "brick", "bridge", "bronze",
    "brush", "bucket", "buffalo", "bundle", "butter", "cabin", "cactus", "camel", "candle",
    "canoe", "canyon", "carbon", "carpet", "castle", "cedar", "chalk", "cherry", "chess",
    "chimney", "circle", "citrus", "clock", "cloud", "clover", "cobalt", "coconut", "comet",
    "copper", "coral", "cotton", "cousin", "coyote", "crane", "crayon", "cricket", "crystal",
    "cupboard", "curtain", "cushion", "dagger", "daisy", "dancer", "delta", "desert", "diamond",
    "dinner", "dolphin", "domino", "donkey", "dragon", "drawer", "drum", "eagle", "earth", "echo",
    "eclipse", "elbow", "ember", "engine", "falcon", "feather", "fender", "ferry", "fiddle",
    "finger", "flame", "flute", "forest", "fossil", "fountain", "fox", "garden", "garlic",
    "geyser", "ginger", "giraffe", "glacier", "glove", "goblet", "gold", "gorilla", "grape",
    "gravel", "guitar", "hammer", "harbor", "harvest", "hazel", "helmet", "hermit", "hollow",
    "honey", "horizon", "hornet", "husky", "igloo", "index", "iris", "island", "ivory", "jacket",
    "jaguar", "jasmine", "jelly", "jewel", "jigsaw", "jockey", "journal", "jungle", "kayak",
    "kettle", "kiwi", "koala", "ladder", "lagoon", "lantern", "laptop", "lemon", "leopard",
    "lilac", "lizard", "lobster", "locket", "lotus", "lumber", "magnet", "mango", "maple",
    "marble", "meadow", "melon", "meteor", "mirror", "mitten", "monkey", "mosaic", "muffin",
    "mustard", "napkin", "nectar", "needle", "nickel", "noodle", "nutmeg", "oasis", "ocean",
    "olive", "onion", "orbit", "orchid", "otter", "oyster", "paddle", "palace", "panda", "panther",
    "parrot", "peach", "pebble", "pelican", "pepper", "piano", "pickle", "pilot", "pine", "planet",
    "plum", "pocket", "pony", "poppy", "potato", "prairie", "pretzel", "puzzle", "quartz",
    "quiver", "rabbit", "radar", "radish", "raven", "ribbon", "rider", "rocket", "rose", "saddle",
    "salmon", "sandal", "satin", "scarf", "shadow", "shell", "silver", "sketch", "sleeve",
    "slipper", "snail", "spider", "spoon", "squirrel", "stamp", "summit", "sunset", "swan",
    "table", "teapot", "thunder", "tiger", "tomato",
];
