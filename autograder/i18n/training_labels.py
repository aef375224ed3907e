"""Catalogue entries: a trainer mistake's short label in the class summary (data only)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "ascent": {"en": "gradient ascent", "id": "gradient ascent"},
    "biases_frozen": {"en": "biases not updated", "id": "bias tidak diperbarui"},
    "w2_first": {
        "en": "W2 updated before layer 1's gradient",
        "id": "W2 diperbarui sebelum gradien layer 1",
    },
    "mean_loss": {"en": "mean instead of 1/2 sum loss", "id": "loss rata-rata, bukan 1/2 jumlah"},
    "loss_after_update": {
        "en": "loss recorded after the update",
        "id": "loss dicatat setelah pembaruan",
    },
    "gradient_divided_by_n": {"en": "gradients divided by N", "id": "gradien dibagi N"},
    "no_output_derivative": {
        "en": "output sigmoid's backward skipped",
        "id": "backward sigmoid keluaran dilewati",
    },
    "per_sample": {"en": "per-sample updates", "id": "pembaruan per sampel"},
    "unchanged": {"en": "weights not updated", "id": "bobot tidak diperbarui"},
    "not_trained": {"en": "weights not trained", "id": "bobot tidak dilatih"},
    "trainer_unmatched": {
        "en": "no known mistake (training)",
        "id": "kesalahan tak dikenal (pelatihan)",
    },
    "frozen": {"en": "a parameter not updated", "id": "sebuah parameter tidak diperbarui"},
    "scaled_loss": {"en": "scaled loss", "id": "loss berskala"},
    "gradient_scaled": {"en": "scaled update", "id": "pembaruan berskala"},
    "wrong_loss": {"en": "losses not the loss", "id": "losses bukan loss"},
    "epochs_short": {"en": "one epoch too few", "id": "kurang satu epoch"},
    "epochs_extra": {"en": "one epoch too many", "id": "kelebihan satu epoch"},
    "early_stop": {"en": "early stopping", "id": "berhenti lebih awal"},
    "shared_activation": {"en": "one sigmoid for two layers", "id": "satu sigmoid untuk dua layer"},
    "float32": {"en": "float32 parameters", "id": "parameter float32"},
    "momentum": {"en": "momentum", "id": "momentum"},
    "weight_decay": {"en": "weight decay", "id": "weight decay"},
    "target_broadcast": {"en": "flattened target broadcast", "id": "target diratakan"},
    "loss_scaled": {"en": "recorded loss scaled", "id": "loss yang dicatat berskala"},
    "ignores_params": {"en": "given params ignored", "id": "params diabaikan"},
    "ignores_data": {"en": "given data ignored", "id": "data diabaikan"},
    "params_changed": {"en": "caller's params changed", "id": "params pemanggil diubah"},
    "lr_or_factor": {
        "en": "DEFAULT_LR or a factor in the update",
        "id": "DEFAULT_LR atau faktor pada pembaruan",
    },
    "no_hidden_derivative": {
        "en": "hidden sigmoid's backward skipped",
        "id": "backward sigmoid tersembunyi dilewati",
    },
    "partial_ascent": {"en": "ascent on one array", "id": "ascent pada satu array"},
    "wrong_gradient": {"en": "another array's gradient", "id": "gradien array lain"},
    "restarts_each_epoch": {"en": "restarts every epoch", "id": "mulai ulang tiap epoch"},
    "normalised_gradient": {"en": "normalised gradient", "id": "gradien dinormalkan"},
    "accumulated_gradients": {"en": "gradients accumulated", "id": "gradien diakumulasi"},
    "lr_decay": {"en": "learning-rate decay", "id": "learning rate menurun"},
}

MESSAGES: dict[str, dict[str, str]] = {f"mistake.{key}": entry for key, entry in LABELS.items()}
