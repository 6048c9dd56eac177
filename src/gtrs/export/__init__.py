"""Export to deployment formats (ONNX). Layer: above fit; imports fit and below."""
