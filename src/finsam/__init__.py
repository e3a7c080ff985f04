"""Finsam Uppföljning."""
