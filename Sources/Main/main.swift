print("cricalgo")
