"""Real-tool validation of the built site: W3C checker, feeds, sitemap, links, browser."""
