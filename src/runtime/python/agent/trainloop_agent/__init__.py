"""The Trainloop agent: runs the user's script and watches training through public torch API only."""
