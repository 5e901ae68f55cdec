"""重点科室评议 (section appraisal): campaigns, one-time rater links, ranking, rectification."""
