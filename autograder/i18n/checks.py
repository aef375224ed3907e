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
    # -- expect.py: comparisons ------------------------------------------------------
    "expect.mismatch": {
        "en": "{where} is {got:.6g} but the {label} value is {expected:.6g} "
        "(relative error {rel:.1e})",
        "id": "{where} bernilai {got:.6g} padahal nilai {label} adalah {expected:.6g} "
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
    # -- public_checks.py (neuron) ------------------------------------------------
    "neuron.on_slides": {
        "en": "the slides' four samples, w = (0.5, 0.7), b = 0",
        "id": "empat sampel di slide, w = (0.5, 0.7), b = 0",
    },
    "neuron.on_random": {
        "en": "random X of shape ({n}, {d}), random w and b",
        "id": "X acak berbentuk ({n}, {d}), w dan b acak",
    },
    "neuron.on_worked": {
        "en": "the worked sample x = (-0.1, 0.2), y = 0, with w = (0.5, 0.7), b = 0",
        "id": "sampel contoh x = (-0.1, 0.2), y = 0, dengan w = (0.5, 0.7), b = 0",
    },
    "neuron.after_one_step": {
        "en": "(w1, w2, b) after one step",
        "id": "(w1, w2, b) setelah satu langkah",
    },
    "neuron.update_modified": {
        "en": "update changed the caller's {name} in place; return new values "
        "(w - lr * dw makes a new array, w -= lr * dw changes the caller's)",
        "id": "update mengubah {name} milik pemanggil secara in-place; kembalikan nilai baru "
        "(w - lr * dw membuat array baru, w -= lr * dw mengubah milik pemanggil)",
    },
    "neuron.not_losses": {
        "en": "train must return the list of losses, one float per epoch, as its third value",
        "id": "train harus mengembalikan list nilai loss, satu float per epoch, sebagai nilai "
        "ketiganya",
    },
    "neuron.losses_length": {
        "en": "losses has {count} entries after {epochs} epochs; record one per epoch",
        "id": "losses berisi {count} nilai setelah {epochs} epoch; catat satu per epoch",
    },
    "neuron.train_modified_w": {
        "en": "train changed the caller's w in place; step with update, which returns a new "
        "w, or start from a copy (w = w.copy())",
        "id": "train mengubah w milik pemanggil secara in-place; melangkahlah dengan update, "
        "yang mengembalikan w baru, atau mulai dari salinannya (w = w.copy())",
    },
    "neuron.not_learned": {
        "en": "with its default lr and epochs the trained neuron predicts {outputs} for targets "
        "{targets}; every prediction must be within 0.1 of its target",
        "id": "dengan lr dan epoch bawaannya neuron hasil pelatihan memprediksi {outputs} untuk "
        "target {targets}; setiap prediksi harus berjarak kurang dari 0.1 dari targetnya",
    },
    "neuron.losses_not_falling": {
        "en": "the recorded losses do not fall",
        "id": "nilai loss yang dicatat tidak menurun",
    },
    # -- hidden_checks.py (neuron): one sentence each, no hidden value ----------------
    "neuron.hidden.raised": {
        "en": "{function} raised {kind} on hidden inputs",
        "id": "{function} memunculkan {kind} pada input tersembunyi",
    },
    "neuron.hidden.gradients": {
        "en": "gradients differs from the reference on hidden data (one sample, one feature, "
        "or several of each), or does not return (dw, db) with dw shaped like w and db one "
        "number",
        "id": "gradients berbeda dari referensi pada data tersembunyi (satu sampel, satu "
        "fitur, atau beberapa dari masing-masing), atau tidak mengembalikan (dw, db) dengan "
        "dw berbentuk sama seperti w dan db berupa satu angka",
    },
    "neuron.hidden.saturated": {
        "en": "gradients gives NaN, infinity or wrong values when the neuron saturates (very "
        "large |v|): compute dy_hat/dv from y_hat, as y_hat * (1 - y_hat), which never "
        "overflows",
        "id": "gradients menghasilkan NaN, tak hingga, atau nilai yang salah saat neuron jenuh "
        "(|v| sangat besar): hitung dy_hat/dv dari y_hat, yaitu y_hat * (1 - y_hat), yang "
        "tidak pernah overflow",
    },
    "neuron.hidden.modified": {
        "en": "{function} changed its argument {name} in place; the caller still needs it: "
        "compute into new arrays",
        "id": "{function} mengubah argumennya {name} secara in-place; pemanggil masih "
        "membutuhkannya: hitung ke array baru",
    },
    "neuron.hidden.update": {
        "en": "update differs from the reference for hidden weights and learning rates: one "
        "step is w - lr * dw and b - lr * db, for any lr and any length of w",
        "id": "update berbeda dari referensi untuk bobot dan learning rate tersembunyi: satu "
        "langkah adalah w - lr * dw dan b - lr * db, untuk lr berapa pun dan panjang w "
        "berapa pun",
    },
    "neuron.hidden.train": {
        "en": "train does not follow gradient descent from hidden starting weights and data: "
        "every epoch records the loss, then steps with the gradients over all samples and the "
        "given lr, for exactly `epochs` epochs",
        "id": "train tidak mengikuti gradient descent dari bobot awal dan data tersembunyi: "
        "setiap epoch mencatat loss, lalu melangkah dengan gradien atas semua sampel dan lr "
        "yang diberikan, tepat sebanyak `epochs` epoch",
    },
    "neuron.hidden.learns": {
        "en": "with its default lr and epochs train does not learn a hidden linearly separable "
        "target from a hidden start: every prediction must end within 0.1 of its target",
        "id": "dengan lr dan epoch bawaannya train tidak mempelajari target tersembunyi yang "
        "terpisah secara linear dari titik awal tersembunyi: setiap prediksi akhirnya harus "
        "berjarak kurang dari 0.1 dari targetnya",
    },
}
