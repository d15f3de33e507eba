"""Keras 3, which runs on the TensorFlow, PyTorch and JAX backends: the team's Keras model, loaded and
measured in whichever backend's child, and the form TensorFlow's route table converts it in."""
