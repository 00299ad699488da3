"""Events and invitations (R2, 第五条, 第七条, 第八条): creation and publication, bids, ranking
and the execution plan, real-time dispatch, cancellation, and the participants' notifications."""
