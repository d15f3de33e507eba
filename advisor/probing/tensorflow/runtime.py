"""Settings texts the TensorFlow probe and the TensorFlow scaling worker share, written once."""

from __future__ import annotations

GPU_PEAK_SOURCE = "tf.config.experimental.get_memory_info peak (TF allocator)"
