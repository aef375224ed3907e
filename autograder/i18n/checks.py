"""Catalogue entries: check messages and the errors a student's code can cause.

Data only (see i18n.py). The English texts are the messages the checks gave
before the catalogue existed, word for word: tests and students rely on them.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- errors.py: what the student's code did -----------------------------------
    "error.not_implemented": {
        "en": "{function} is not implemented yet (it raises NotImplementedError)",
        "id": "{function} belum diimplementasikan (masih memunculkan NotImplementedError)",
    },
    "error.system_exit": {
        "en": "{function} called sys.exit() or exit(); return a value instead",
        "id": "{function} memanggil sys.exit() atau exit(); kembalikan sebuah nilai saja",
    },
    "error.raised": {
        "en": "{function} raised {kind}: {message}",
        "id": "{function} memunculkan {kind}: {message}",
    },
    "error.where": {"en": "at {where}", "id": "di {where}"},
    "error.timeout": {
        "en": "{function} did not return within {seconds:.1f} s "
        "(an infinite loop, or far too much work?); it was stopped",
        "id": "{function} tidak selesai dalam {seconds:.1f} detik "
        "(perulangan tak berhingga, atau pekerjaan yang terlalu banyak?); eksekusinya dihentikan",
    },
    "error.crash": {
        "en": "the Python process running your code {how} during {function}; "
        "code must return, not exit or crash",
        "id": "proses Python yang menjalankan kode Anda {how} saat {function}; "
        "kode harus mengembalikan nilai, bukan keluar atau crash",
    },
    "error.crash.signal": {"en": "was killed by {signal}", "id": "dihentikan oleh {signal}"},
    "error.signal": {"en": "signal {number}", "id": "sinyal {number}"},
    "error.signal.SIGSEGV": {
        "en": " (a segmentation fault)",
        "id": " (segmentation fault)",
    },
    "error.signal.SIGKILL": {
        "en": " (out of memory, or a limit)",
        "id": " (kehabisan memori, atau melewati batas)",
    },
    "error.crash.exit": {
        "en": "exited with code {code} (os._exit?)",
        "id": "keluar dengan kode {code} (os._exit?)",
    },
    "error.crash.silent": {"en": "stopped answering", "id": "berhenti merespons"},
    "error.unplain": {
        "en": "{function} returned something that is not plain numeric data ({detail}); "
        "return numpy arrays, numbers, tuples or lists",
        "id": "{function} mengembalikan sesuatu yang bukan data numerik biasa ({detail}); "
        "kembalikan array numpy, angka, tuple, atau list",
    },
    "error.missing_name": {
        "en": "{module}.py defines no {name!r}",
        "id": "{module}.py tidak mendefinisikan {name!r}",
    },
    "error.import.missing": {
        "en": "{module}.py is missing: hand it in beside the other files",
        "id": "{module}.py tidak ada: kumpulkan bersama berkas-berkas lainnya",
    },
    "error.import.syntax": {
        "en": "{module}.py has a syntax error: {message}",
        "id": "{module}.py memiliki kesalahan sintaks: {message}",
    },
    "error.import.syntax_elsewhere": {
        "en": "{module}.py could not be imported because {other} has a syntax error: {message}",
        "id": "{module}.py tidak dapat diimpor karena {other} memiliki kesalahan sintaks: "
        "{message}",
    },
    "error.import.failed": {
        "en": "{module}.py could not be imported: {kind}: {message}",
        "id": "{module}.py tidak dapat diimpor: {kind}: {message}",
    },
    "error.unreadable_submission": {
        "en": "could not read your submission: {reason}",
        "id": "kiriman Anda tidak dapat dibaca: {reason}",
    },
    "error.grader": {"en": "grader error", "id": "kesalahan pada autograder"},
    "error.reply_too_large": {
        "en": "{function} returned {size:,} bytes of data, more than the {cap:,} a correct "
        "answer can need; return only what it should (e.g. one loss per epoch)",
        "id": "{function} mengembalikan {size:,} byte data, melebihi {cap:,} byte yang dapat "
        "diperlukan jawaban yang benar; kembalikan hanya yang semestinya (mis. satu loss "
        "per epoch)",
    },
    # -- expect.py: comparisons ------------------------------------------------------
    "expect.mismatch": {
        "en": "{where} is {got} but the {label} value is {expected} (relative error {rel:.1e})",
        "id": "{where} bernilai {got} padahal nilai {label} adalah {expected} "
        "(galat relatif {rel:.1e})",
    },
    "expect.label.expected": {"en": "expected", "id": "yang diharapkan"},
    "expect.label.numerical": {"en": "numerical", "id": "numerik"},
    "expect.label.reference": {"en": "reference", "id": "referensi"},
    "expect.not_tuple": {
        "en": "{what} must return a tuple {names}, but returned a {kind}",
        "id": "{what} harus mengembalikan tuple {names}, tetapi mengembalikan {kind}",
    },
    "expect.wrong_count": {
        "en": "{what} must return {length} values {names}, but returned {count}",
        "id": "{what} harus mengembalikan {length} nilai {names}, tetapi mengembalikan {count}",
    },
    "expect.not_number": {
        "en": "{name} should be a number for scalar inputs, but is a {kind}",
        "id": "{name} seharusnya berupa angka untuk input skalar, tetapi berupa {kind}",
    },
    "expect.not_array": {
        "en": "{name} should be a numpy array, but is a {kind}",
        "id": "{name} seharusnya berupa array numpy, tetapi berupa {kind}",
    },
    "expect.wrong_shape": {
        "en": "{name} has shape {shape} but must have the shape of its input {expected}",
        "id": "{name} berbentuk {shape} padahal harus sama dengan bentuk inputnya {expected}",
    },
    "expect.wrong_dtype": {
        "en": "{name} has dtype {dtype}; it must be float64",
        "id": "{name} ber-dtype {dtype}; seharusnya float64",
    },
    "expect.not_numbers": {
        "en": "{name} must hold real numbers only, but holds {what}",
        "id": "{name} harus berisi bilangan real saja, tetapi berisi {what}",
    },
    "expect.what.ragged": {
        "en": "lists of different lengths",
        "id": "list dengan panjang yang berbeda-beda",
    },
    "expect.what.too_large": {
        "en": "an integer too large for a float",
        "id": "bilangan bulat yang terlalu besar untuk float",
    },
    "expect.what.kind": {"en": "a {kind}", "id": "sebuah {kind}"},
    "expect.shape_differs": {
        "en": "{name} has shape {shape} but the {label} value has shape {expected}",
        "id": "{name} berbentuk {shape} padahal nilai {label} berbentuk {expected}",
    },
    "expect.empty": {
        "en": "{name} is empty",
        "id": "{name} kosong",
    },
    "expect.not_finite": {
        "en": "{name} contains NaN or infinity",
        "id": "{name} mengandung NaN atau tak hingga",
    },
    # -- gradcheck.py -----------------------------------------------------------------
    "gradcheck.failed": {
        "en": "{failures} [inputs {shapes}]",
        "id": "{failures} [input {shapes}]",
    },
    "gradcheck.zero_upstream": {
        "en": "backward(0) should give {name} = 0 but gives nonzero values: multiply the "
        "local gradient by the upstream gradient (chain rule)",
        "id": "backward(0) seharusnya menghasilkan {name} = 0 tetapi menghasilkan nilai bukan "
        "nol: kalikan gradien lokal dengan gradien dari hulu (aturan rantai)",
    },
    "gradcheck.not_linear": {
        "en": "{name} is not linear in the upstream gradient: backward(2*d1 - 3*d2) differs "
        "from 2*backward(d1) - 3*backward(d2); the chain rule multiplies, it never adds",
        "id": "{name} tidak linear terhadap gradien dari hulu: backward(2*d1 - 3*d2) berbeda "
        "dari 2*backward(d1) - 3*backward(d2); aturan rantai mengalikan, tidak pernah "
        "menjumlahkan",
    },
    # -- public_checks.py (backprop) ------------------------------------------------
    "backprop.after_one_step": {
        "en": "(w1, w2, b) after one step",
        "id": "(w1, w2, b) setelah satu langkah",
    },
    "backprop.trained": {"en": "trained {name}", "id": "{name} terlatih"},
    "backprop.not_dict": {
        "en": "train_xor must return a dict with keys W1, b1, W2, b2 as its first value",
        "id": "train_xor harus mengembalikan dict dengan kunci W1, b1, W2, b2 "
        "sebagai nilai pertamanya",
    },
    "backprop.not_losses": {
        "en": "train_xor must return the list of losses, one float per epoch",
        "id": "train_xor harus mengembalikan list nilai loss, satu float per epoch",
    },
    "backprop.losses_length": {
        "en": "losses has {count} entries after {epochs} epochs; record one per epoch",
        "id": "losses berisi {count} nilai setelah {epochs} epoch; catat satu per epoch",
    },
    "backprop.params_modified": {
        "en": "train_xor changed the caller's params[{name!r}] in place; copy each array "
        "first (e.g. W1 = params['W1'].copy()) and update the copies",
        "id": "train_xor mengubah params[{name!r}] milik pemanggil secara in-place; salin "
        "dulu setiap array (mis. W1 = params['W1'].copy()) lalu perbarui salinannya",
    },
    "backprop.not_learned": {
        "en": "with seed {seed} the trained network outputs {outputs} for targets {targets}; "
        "every output must be within 0.1 of its target",
        "id": "dengan seed {seed} jaringan hasil pelatihan mengeluarkan {outputs} untuk target "
        "{targets}; setiap keluaran harus berjarak kurang dari 0.1 dari targetnya",
    },
    "backprop.losses_not_falling": {
        "en": "with seed {seed} the recorded losses do not fall",
        "id": "dengan seed {seed} nilai loss yang dicatat tidak menurun",
    },
    # -- limits of the whole student (isolation: accounting and budget) ----------------
    "error.limit.time": {
        "en": "{function} used more than {seconds:.1f} s of CPU time, counting every process "
        "it started (an infinite loop, or far too much work?); it was stopped",
        "id": "{function} memakai lebih dari {seconds:.1f} detik waktu CPU, termasuk semua "
        "proses yang dijalankannya (perulangan tak berhingga, atau pekerjaan yang terlalu "
        "banyak?); eksekusinya dihentikan",
    },
    "error.limit.memory": {
        "en": "during {function} your code used more than {megabytes} MiB of memory, counting "
        "every process it started; all of them were stopped",
        "id": "saat {function} kode Anda memakai lebih dari {megabytes} MiB memori, termasuk "
        "semua proses yang dijalankannya; semuanya dihentikan",
    },
    "error.limit.disk": {
        "en": "during {function} your code wrote more than {megabytes} MiB of files; "
        "it was stopped",
        "id": "saat {function} kode Anda menulis lebih dari {megabytes} MiB berkas; "
        "eksekusinya dihentikan",
    },
    "error.limit.budget": {
        "en": "your code has used up the time allowed for the whole submission "
        "({seconds:.0f} s, a multiple of the reference solution's own time) during {function}; "
        "the checks after it were not run",
        "id": "kode Anda telah menghabiskan waktu yang diizinkan untuk seluruh kiriman "
        "({seconds:.0f} detik, kelipatan dari waktu solusi acuan) saat {function}; "
        "pemeriksaan setelahnya tidak dijalankan",
    },
}
