"""Stories: near-copies of one text, and the story each article belongs to.

`features` computes what an article is about (upstream, partition-parallel); `nearcopies`
finds earlier copies of the same text by MinHash; `clusterer` assigns each article to a story
on the one partition that sees them all.
"""
