"""Catalogue entries: places in the student's code, plain differences (data only).

``place.*`` words a place in the student's own code (``checks.places``);
``differs.*`` says how a wrong array differs when no known mistake
reproduces it (``checks.difference``).
"""

from __future__ import annotations

PLACES: dict[str, dict[str, str]] = {
    "place.file": {"en": "{file}, line {line}", "id": "{file}, baris {line}"},
    "place.cell": {
        "en": "cell {cell} of {notebook}, line {line}",
        "id": "sel {cell} pada {notebook}, baris {line}",
    },
    "place.code": {"en": "{function} ({where}: {code})", "id": "{function} ({where}: {code})"},
    "place.function": {"en": "{function} ({where})", "id": "{function} ({where})"},
}

DIFFERS: dict[str, dict[str, str]] = {
    "differs.scaled": {
        "en": "every element of {name} is {factor} times the right value",
        "id": "setiap elemen {name} bernilai {factor} kali nilai yang benar",
    },
    "differs.offset": {
        "en": "every element of {name} is off by the same amount, {offset}",
        "id": "setiap elemen {name} meleset sebesar jumlah yang sama, {offset}",
    },
    "differs.rows": {
        "en": "only row(s) {rows} of {name} are wrong; the other rows are right",
        "id": "hanya baris {rows} dari {name} yang salah; baris lainnya benar",
    },
    "differs.columns": {
        "en": "only column(s) {columns} of {name} are wrong; the other columns are right",
        "id": "hanya kolom {columns} dari {name} yang salah; kolom lainnya benar",
    },
    "differs.signs": {
        "en": "{name} has the right sizes but the wrong sign in {count} of its {total} "
        "elements ({where})",
        "id": "{name} besarnya benar tetapi tandanya salah pada {count} dari {total} elemennya "
        "({where})",
    },
    "differs.zeros": {
        "en": "{name} is 0 where it should not be ({where}); every other element is right",
        "id": "{name} bernilai 0 di tempat yang seharusnya tidak ({where}); elemen lainnya benar",
    },
    "differs.some": {
        "en": "{count} of {total} elements are wrong ({where}); {first} is {got} instead of "
        "{expected}",
        "id": "{count} dari {total} elemen salah ({where}); {first} bernilai {got}, seharusnya "
        "{expected}",
    },
    "differs.everywhere": {
        "en": "every element of {name} is wrong; the worst, {where}, is {got} instead of "
        "{expected} (relative error {rel:.1e})",
        "id": "setiap elemen {name} salah; yang terburuk, {where}, bernilai {got}, seharusnya "
        "{expected} (galat relatif {rel:.1e})",
    },
    "differs.none": {
        "en": "{name} differs from the right value by rounding only",
        "id": "{name} berbeda dari nilai yang benar hanya karena pembulatan",
    },
    "differs.single_sample": {
        "en": " (this input has a single sample, N = 1)",
        "id": " (input ini hanya berisi satu sampel, N = 1)",
    },
}

MESSAGES: dict[str, dict[str, str]] = {**PLACES, **DIFFERS}
