"""Catalogue entries: what a hidden check may say of a mistake (data only; see i18n).

``hint.<key>`` is what a *hidden* check may show for the mistake ``<key>``:
a sentence with no placeholder at all, so that nothing of a hidden input,
value or check can reach it (``hint.where`` adds the place, which the engine
finds in the student's own code).
"""

from __future__ import annotations

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
    "keepdims": (
        "a gradient has the right values in the wrong shape (an extra axis)",
        "sebuah gradien bernilai benar tetapi bentuknya salah (ada axis tambahan)",
    ),
    "summed_all": (
        "a gradient is summed over every axis instead of the batch only",
        "sebuah gradien dijumlahkan pada semua axis, bukan hanya sepanjang batch",
    ),
    "chained_gradient": (
        "a gradient multiplies another gradient, not the upstream gradient, by its local one",
        "sebuah gradien mengalikan gradien lain, bukan gradien hulu, dengan gradien lokalnya",
    ),
    "missing_factor": (
        "the sigmoid's local gradient lacks a factor: it is a * (1 - a)",
        "gradien lokal sigmoid kekurangan satu faktor: seharusnya a * (1 - a)",
    ),
    "local_sign": (
        "the sigmoid's local gradient has a sign wrong inside: it is a * (1 - a)",
        "ada tanda yang salah di dalam gradien lokal sigmoid: seharusnya a * (1 - a)",
    ),
    "wrong_operand": (
        "a matrix product in backward uses the wrong cached array",
        "sebuah perkalian matriks di backward memakai array tersimpan yang salah",
    ),
    "elementwise_product": (
        "backward multiplies elementwise (*) where a matrix product (@) is needed",
        "backward mengalikan per elemen (*) padahal perlu perkalian matriks (@)",
    ),
    "no_hidden_derivative": (
        "train_xor skips the hidden sigmoid's backward",
        "train_xor melewatkan backward sigmoid tersembunyi",
    ),
    "partial_ascent": (
        "train_xor climbs the loss on one parameter array",
        "train_xor menaikkan loss pada satu array parameter",
    ),
    "wrong_gradient": (
        "train_xor updates a parameter with another parameter's gradient",
        "train_xor memperbarui sebuah parameter dengan gradien parameter lain",
    ),
    "restarts_each_epoch": (
        "train_xor starts every epoch again from the params it was given",
        "train_xor memulai setiap epoch lagi dari params yang diberikan",
    ),
    "normalised_gradient": (
        "train_xor normalises its gradients",
        "train_xor menormalkan gradiennya",
    ),
    "accumulated_gradients": (
        "train_xor adds up the gradients of all epochs and never resets the sum",
        "train_xor menjumlahkan gradien semua epoch tanpa pernah mengulang jumlahnya",
    ),
    "lr_decay": ("train_xor changes its learning rate", "train_xor mengubah learning rate-nya"),
}

MESSAGES: dict[str, dict[str, str]] = {
    "hint.where": {"en": "; look at {place}", "id": "; periksa {place}"},
    **{f"hint.{key}": {"en": en, "id": id_} for key, (en, id_) in HINTS.items()},
}
