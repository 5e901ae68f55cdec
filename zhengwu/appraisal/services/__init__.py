"""Every write of 重点科室评议, one keyword-only function per action, each one transaction."""
