"""Rule versions (C10; 第三十一条, 第三十二条): this policy's validity, and the earlier policies
whose loans 市科技局 carries in."""
