"""Catalogue entries: places in the student's code, plain differences, hidden checks' hints.

Data only (see i18n). ``place.*`` words a place in the student's own code;
``differs.*`` says how a wrong array differs when no mistake reproduces it;
``hint.<key>`` is what a *hidden* check may show for the mistake ``<key>``:
a sentence with no placeholder at all, so that nothing of a hidden input,
value or check can reach it (``hint.where`` adds the place, which the engine
finds in the student's own code).
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
    "hint.where": {"en": "; look at {place}", "id": "; periksa {place}"},
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

# What a hidden check may say about a mistake: no placeholder, no number.
HINTS: dict[str, tuple[str, str]] = {
    "upstream_modified": (
        "backward changes the upstream gradient it receives in place; compute each gradient "
        "into a new array",
        "backward mengubah gradien hulu yang diterimanya secara in-place; hitung setiap gradien "
        "ke array baru",
    ),
    "input_modified": (
        "backward changes a cached input in place; leave the cache as forward stored it",
        "backward mengubah input tersimpan secara in-place; biarkan cache seperti yang "
        "disimpan forward",
    ),
    "cache_modified": (
        "backward gives another answer when called again: it changes what the layer cached; "
        "compute into new arrays",
        "backward memberi jawaban lain saat dipanggil lagi: ia mengubah isi cache layer; hitung "
        "ke array baru",
    ),
    "stale_cache": (
        "backward answers for an earlier forward call; store the inputs on self in every forward",
        "backward menjawab untuk pemanggilan forward sebelumnya; simpan input di self pada "
        "setiap forward",
    ),
    "shared_cache": (
        "backward answers for another instance's forward: keep the cache on self, not on the "
        "class or in a global",
        "backward menjawab untuk forward instance lain: simpan cache di self, bukan di kelas "
        "atau variabel global",
    ),
    "swapped": (
        "the gradients come back swapped; return them in the order forward takes its inputs",
        "gradiennya tertukar; kembalikan sesuai urutan input forward",
    ),
    "wrong_order": (
        "the gradients come back in the wrong order; return them in the order forward takes "
        "its inputs",
        "urutan gradien salah; kembalikan sesuai urutan input forward",
    ),
    "transposed": (
        "a gradient comes back transposed; each gradient must have its input's shape",
        "sebuah gradien tertranspos; setiap gradien harus berbentuk sama dengan inputnya",
    ),
    "missing_transpose": (
        "a matrix product in backward needs a transpose it lacks",
        "sebuah perkalian matriks di backward kekurangan transpos",
    ),
    "extra_transpose": (
        "a matrix product in backward transposes an operand it must not",
        "sebuah perkalian matriks di backward mentranspos operan yang tidak boleh ditranspos",
    ),
    "operands_swapped": (
        "a matrix product in backward takes its operands in the wrong order",
        "sebuah perkalian matriks di backward memakai urutan operan yang salah",
    ),
    "cache_reshaped": (
        "forward stores an input with another shape than it has; store inputs as they are",
        "forward menyimpan input dengan bentuk yang berbeda; simpan input apa adanya",
    ),
    "not_summed": (
        "a bias gradient is not summed over the batch",
        "gradien bias tidak dijumlahkan sepanjang batch",
    ),
    "wrong_axis": (
        "a gradient is summed over the wrong axis; sum over the batch (axis 0)",
        "sebuah gradien dijumlahkan pada axis yang salah; jumlahkan sepanjang batch (axis 0)",
    ),
    "averaged": (
        "a gradient is averaged over the batch instead of summed",
        "sebuah gradien dirata-ratakan sepanjang batch, bukan dijumlahkan",
    ),
    "sign": ("a gradient has the wrong sign", "tanda sebuah gradien terbalik"),
    "divided_by_n": (
        "a gradient is divided by the batch size; the loss is a sum, not a mean",
        "sebuah gradien dibagi ukuran batch; loss adalah jumlah, bukan rata-rata",
    ),
    "times_n": (
        "a gradient is multiplied by the batch size; do not",
        "sebuah gradien dikalikan ukuran batch; jangan",
    ),
    "no_upstream": (
        "backward ignores the upstream gradient; multiply the local gradient by it",
        "backward mengabaikan gradien hulu; kalikan gradien lokal dengannya",
    ),
    "adds_upstream": (
        "backward adds the upstream gradient; the chain rule multiplies",
        "backward menjumlahkan gradien hulu; aturan rantai mengalikan",
    ),
    "other_gradient": (
        "a gradient uses the cached input that belongs to another gradient",
        "sebuah gradien memakai input tersimpan milik gradien lain",
    ),
    "derivative_of_input": (
        "the sigmoid's local gradient is taken of its input; use a * (1 - a) of the output",
        "gradien lokal sigmoid diambil dari inputnya; pakai a * (1 - a) dari keluarannya",
    ),
    "derivative_twice": (
        "the sigmoid is applied twice in backward; use a * (1 - a) of the cached output",
        "sigmoid diterapkan dua kali di backward; pakai a * (1 - a) dari keluaran tersimpan",
    ),
    "ascent": ("train_xor climbs the loss (gradient ascent)", "train_xor menaikkan loss"),
    "biases_frozen": ("train_xor never updates the biases", "train_xor tidak memperbarui bias"),
    "frozen": (
        "train_xor leaves a parameter array unchanged",
        "train_xor membiarkan sebuah array parameter tidak berubah",
    ),
    "w2_first": (
        "train_xor updates the output layer before the error flows back through it",
        "train_xor memperbarui layer keluaran sebelum galat dirambatkan melaluinya",
    ),
    "mean_loss": (
        "train_xor trains on the mean squared error, not 0.5 * sum",
        "train_xor melatih dengan rata-rata kuadrat galat, bukan 0.5 * jumlah",
    ),
    "scaled_loss": ("train_xor trains on a scaled loss", "train_xor melatih dengan loss berskala"),
    "loss_after_update": (
        "train_xor records each loss after the update",
        "train_xor mencatat loss setelah pembaruan",
    ),
    "gradient_divided_by_n": (
        "train_xor divides the gradients by the number of samples",
        "train_xor membagi gradien dengan jumlah sampel",
    ),
    "gradient_scaled": (
        "each update of train_xor is a constant factor times gradient descent's",
        "setiap pembaruan train_xor adalah kelipatan tetap dari langkah gradient descent",
    ),
    "no_output_derivative": (
        "train_xor skips the output sigmoid's backward",
        "train_xor melewatkan backward sigmoid keluaran",
    ),
    "per_sample": ("train_xor updates after every sample", "train_xor memperbarui tiap sampel"),
    "unchanged": (
        "train_xor returns the params it was given, unchanged",
        "train_xor mengembalikan params yang diberikan tanpa perubahan",
    ),
    "not_trained": (
        "train_xor's losses do not come from training",
        "losses train_xor tidak berasal dari pelatihan",
    ),
    "wrong_loss": (
        "train_xor records something other than the loss before each update",
        "train_xor mencatat sesuatu selain loss sebelum setiap pembaruan",
    ),
    "epochs_short": ("train_xor runs one epoch too few", "train_xor kurang satu epoch"),
    "epochs_extra": ("train_xor runs one epoch too many", "train_xor kelebihan satu epoch"),
    "early_stop": (
        "train_xor stops before its last epoch; run every epoch",
        "train_xor berhenti sebelum epoch terakhir; jalankan semua epoch",
    ),
    "shared_activation": (
        "train_xor uses one SigmoidLayer for both activations",
        "train_xor memakai satu SigmoidLayer untuk kedua aktivasi",
    ),
    "float32": (
        "train_xor trains in float32; keep float64",
        "train_xor berlatih dalam float32; pertahankan float64",
    ),
    "momentum": ("train_xor uses momentum", "train_xor memakai momentum"),
    "weight_decay": ("train_xor uses weight decay", "train_xor memakai weight decay"),
    "target_broadcast": (
        "train_xor's loss broadcasts a flattened target to a matrix",
        "loss train_xor mem-broadcast target yang diratakan menjadi matriks",
    ),
    "loss_scaled": (
        "train_xor records a scaled loss",
        "train_xor mencatat loss yang berskala",
    ),
    "ignores_params": (
        "train_xor ignores the params it is given",
        "train_xor mengabaikan params yang diberikan",
    ),
    "ignores_data": (
        "train_xor ignores the X and y it is given",
        "train_xor mengabaikan X dan y yang diberikan",
    ),
    "depends": (
        "this check runs through layers whose checks fail: fix those first",
        "pemeriksaan ini berjalan melalui layer yang pemeriksaannya gagal: perbaiki itu dulu",
    ),
    "lr_or_factor": (
        "each update of train_xor is a constant factor times gradient descent's: check the "
        "learning rate it uses",
        "setiap pembaruan train_xor adalah kelipatan tetap dari langkah gradient descent: "
        "periksa learning rate yang dipakai",
    ),
    "params_changed": (
        "train_xor changes the caller's params; build a new dict of new arrays",
        "train_xor mengubah params milik pemanggil; buat dict baru berisi array baru",
    ),
}

MESSAGES: dict[str, dict[str, str]] = {
    **PLACES,
    **DIFFERS,
    **{f"hint.{key}": {"en": en, "id": id_} for key, (en, id_) in HINTS.items()},
}
