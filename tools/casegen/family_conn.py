"""placeholder"""
def cases():
    return []
