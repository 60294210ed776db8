"""SentencePiece `.model` files: protobuf_wire.py reads the wire format, model.py parses and checks a ModelProto,
read.py builds a tokenizer from one. (No writer: a SentencePiece tokenizer is kept as its .model file.)"""
