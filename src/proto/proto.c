/* Placeholder translation unit until the decoders land; replaced by them. */
int proto_placeholder_unused;
