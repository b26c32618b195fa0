"""Delivery: getting each alert to its channels once.

`policy` says when to send and retry; `dispatcher` sends, a task per alert and channel;
`outbox` tracks what is in flight and `ledger` acks offsets in order; `channels` builds each
channel's request.
"""
