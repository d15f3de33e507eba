"""The onnxruntime child: a team's ``.onnx`` model measured as a baseline (never a candidate framework),
and its route table (the file already is the artifact). Imported only inside that child."""
