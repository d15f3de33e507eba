"""TensorFlow's probe child: the workloads as Keras models, the backend, the team's SavedModel, and
TensorFlow's deployment route table (which also converts Keras models). Imported only inside the
TensorFlow child."""
